package dev.postroom.server.console;

import dev.postroom.server.auth.Role;
import dev.postroom.server.http.ErrorPage;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Set;

/**
 * Runs before every console request: security headers, the session check (a page without one
 * redirects to sign-in, anything else gets 401), the same-origin and CSRF checks on every
 * state-changing request, and role checks that routes ask for. All of it on the server: a hidden
 * button is a courtesy, not a control.
 */
final class ConsoleGuard {
    static final String COOKIE = "postroom_session";
    private static final String SESSION = "console.session";
    /** When the request reached the guard ({@link System#nanoTime()}), for the {@code Server-Timing} header. */
    private static final String STARTED = "console.started";
    private static final Set<String> OPEN_PATHS = Set.of("/console/login");
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

    private final Sessions sessions;
    private final InstantSource clock;
    private final ErrorPage errorPage;

    ConsoleGuard(Sessions sessions, InstantSource clock, ErrorPage errorPage) {
        this.sessions = sessions;
        this.clock = clock;
        this.errorPage = errorPage;
    }

    void before(Context ctx) {
        ctx.attribute(STARTED, System.nanoTime());
        ctx.attribute(ErrorPage.ATTRIBUTE, errorPage);
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "same-origin");
        ctx.header("Cache-Control", "no-store");
        boolean changesState = !isSafe(ctx.method().name());
        if (changesState) {
            requireSameOrigin(ctx);
        }
        if (OPEN_PATHS.contains(ctx.path()) || ctx.path().startsWith("/console/assets/")) {
            return;
        }
        Session session = sessions.find(ctx.cookie(COOKIE), clock.instant()).orElse(null);
        if (session == null) {
            if (!changesState && ctx.header("HX-Request") == null && !isEventStream(ctx)) {
                ctx.redirect("/console/login?next=" + Format.url(ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString())));
                ctx.skipRemainingHandlers();
                return;
            }
            ctx.header("HX-Redirect", "/console/login");
            throw new ConsoleException(401, "Your session has ended; sign in again.");
        }
        if (changesState && !csrfMatches(ctx, session)) {
            throw ConsoleException.forbidden("The form is out of date or did not come from this console (CSRF token missing or wrong). Reload the page and try again.");
        }
        ctx.attribute(SESSION, session);
    }

    /**
     * Runs after every console request: says how long the server took, from the guard to here (the
     * page rendered, not yet sent), as {@code Server-Timing: app;dur=<ms>}, which browsers' developer
     * tools show beside the network time. Event streams are left alone: their headers went long ago.
     */
    static void after(Context ctx) {
        Long started = ctx.attribute(STARTED);
        if (started != null && !isEventStream(ctx)) {
            ctx.header("Server-Timing", String.format(Locale.ROOT, "app;dur=%.1f", (System.nanoTime() - started) / 1e6));
        }
    }

    /** The signed-in session; routes behind the guard always have one. */
    static Session session(Context ctx) {
        Session session = ctx.attribute(SESSION);
        if (session == null) {
            throw new ConsoleException(401, "Sign in first.");
        }
        return session;
    }

    /** The session, if its role includes {@code needed}; else 403. */
    static Session require(Context ctx, Role needed) {
        Session session = session(ctx);
        if (!session.role().includes(needed)) {
            throw ConsoleException.forbidden("This needs the " + needed.name().toLowerCase() + " role; you are "
                    + session.role().name().toLowerCase() + ".");
        }
        return session;
    }

    void signIn(Context ctx, Session session) {
        ctx.cookie(cookie(ctx, session.id(), -1));
    }

    void signOut(Context ctx) {
        sessions.end(ctx.cookie(COOKIE));
        ctx.cookie(cookie(ctx, "", 0));
    }

    private static Cookie cookie(Context ctx, String value, int maxAge) {
        Cookie cookie = new Cookie(COOKIE, value);
        cookie.setPath("/console");
        cookie.setHttpOnly(true);
        cookie.setSameSite(SameSite.STRICT);
        cookie.setSecure(isSecure(ctx));
        cookie.setMaxAge(maxAge);
        return cookie;
    }

    /** Behind a TLS-terminating proxy the request arrives as http with X-Forwarded-Proto: https. */
    private static boolean isSecure(Context ctx) {
        return "https".equalsIgnoreCase(ctx.scheme()) || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
    }

    private static boolean csrfMatches(Context ctx, Session session) {
        String sent = ctx.header("X-CSRF-Token");
        if (sent == null) {
            sent = ctx.formParam("_csrf");
        }
        return sent != null && MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                session.csrfToken().getBytes(StandardCharsets.UTF_8));
    }

    /** Browsers send Origin on cross-site form posts; one that names another host is refused outright. */
    private static void requireSameOrigin(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin == null || "null".equals(origin)) {
            return; // the CSRF token still decides
        }
        String host = ctx.header("Host");
        String originHost;
        try {
            originHost = URI.create(origin).getAuthority();
        } catch (IllegalArgumentException e) {
            originHost = null;
        }
        if (host == null || !host.equalsIgnoreCase(originHost)) {
            throw ConsoleException.forbidden("Cross-site request refused.");
        }
    }

    private static boolean isSafe(String method) {
        return "GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method);
    }

    private static boolean isEventStream(Context ctx) {
        String accept = ctx.header("Accept");
        return accept != null && accept.contains("text/event-stream");
    }
}
