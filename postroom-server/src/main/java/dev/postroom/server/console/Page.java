package dev.postroom.server.console;

/**
 * What every console page's frame needs: its title, the navigation entry to highlight, who is
 * signed in (null on the sign-in page), the CSRF token forms carry, and a one-time notice.
 *
 * @param title    the page title
 * @param nav      the navigation entry to highlight: overview, messages, dead, topics, audit, users, tokens
 * @param username the signed-in user, or null
 * @param role     the user's role in lower case, or null
 * @param csrf     the session's CSRF token, or null
 * @param flash    a one-time notice, or null
 */
public record Page(String title, String nav, String username, String role, String csrf, String flash) {

    static Page of(Session session, String title, String nav) {
        return new Page(title, nav, session.username(), session.role().name().toLowerCase(java.util.Locale.ROOT),
                session.csrfToken(), session.takeFlash());
    }

    static Page anonymous(String title) {
        return new Page(title, "", null, null, null, null);
    }

    /** Whether the user may act on messages and queues. */
    public boolean canOperate() {
        return "operator".equals(role) || isAdmin();
    }

    /** Whether the user may manage users, tokens and policies. */
    public boolean isAdmin() {
        return "admin".equals(role);
    }
}
