package dev.postroom.server.console;

import dev.postroom.server.auth.AuthStore;
import dev.postroom.server.auth.Role;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Console sessions, in memory: a restart signs everyone out, which is the safe direction. Ids and
 * CSRF tokens are 256 random bits. A session ends after {@link #IDLE} without a request or
 * {@link #ABSOLUTE} after sign-in, whichever comes first.
 *
 * <p>Sessions are this node's alone (behind a load balancer the console needs sticky sessions), but
 * users are shared by every node on PostgreSQL: a password change, role change or removal made
 * through another node ends this node's sessions of that user within {@link #RECHECK}, when the
 * user's credential stamp is read again and differs from the one signed in with.
 */
final class Sessions {
    /** How often a live session's user is read again: one indexed read per active session every ten seconds. */
    static final Duration RECHECK = AuthStore.RECHECK;
    static final Duration IDLE = Duration.ofHours(2);
    static final Duration ABSOLUTE = Duration.ofHours(12);
    /** Beyond this many live sessions the oldest is dropped, so a login flood cannot exhaust memory. */
    static final int MAX_SESSIONS = 10_000;

    private final Map<String, Session> byId = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Function<String, Optional<String>> credentialStamps;

    /** @param credentialStamps a user's current credential stamp, empty when the user is gone ({@code AuthStore::credentialStamp}) */
    Sessions(Function<String, Optional<String>> credentialStamps) {
        this.credentialStamps = credentialStamps;
    }

    Session create(String username, Role role, Instant now) {
        return create(username, role, credentialStamps.apply(username).orElse(null), now);
    }

    /** A session for a sign-in whose role and credential stamp were read together ({@code AuthStore.signIn}). */
    Session create(String username, Role role, String credentialStamp, Instant now) {
        if (byId.size() >= MAX_SESSIONS) {
            expire(now);
            byId.values().stream().min(Comparator.comparing(Session::lastSeenAt))
                    .ifPresent(oldest -> byId.remove(oldest.id()));
        }
        Session session = new Session(randomToken(), username, role, randomToken(), now, credentialStamp);
        byId.put(session.id(), session);
        return session;
    }

    /** The live session with this id, touched; empty when unknown or expired. */
    Optional<Session> find(String id, Instant now) {
        Optional<Session> live = live(id, now);
        live.ifPresent(session -> session.seen(now));
        return live;
    }

    /**
     * Whether the session with this id is still live (not signed out, expired, or its user changed
     * or removed), without touching it: a live stream keeps no session alive on its own.
     */
    boolean isLive(String id, Instant now) {
        return live(id, now).isPresent();
    }

    private Optional<Session> live(String id, Instant now) {
        if (id == null) {
            return Optional.empty();
        }
        Session session = byId.get(id);
        if (session == null) {
            return Optional.empty();
        }
        if (isExpired(session, now)) {
            byId.remove(id);
            return Optional.empty();
        }
        if (!now.isBefore(session.checkedAt().plus(RECHECK))) {
            Optional<String> stamp = credentialStamps.apply(session.username());
            if (stamp.isEmpty() || !stamp.get().equals(session.credentialStamp())) {
                byId.remove(id);
                return Optional.empty();
            }
            session.checked(now);
        }
        return Optional.of(session);
    }

    void end(String id) {
        if (id != null) {
            byId.remove(id);
        }
    }

    /** Signs a user out everywhere: after a password change, a role change or removal. */
    void endAllOf(String username) {
        byId.values().removeIf(s -> s.username().equals(username));
    }

    private void expire(Instant now) {
        byId.values().removeIf(s -> isExpired(s, now));
    }

    private static boolean isExpired(Session session, Instant now) {
        return now.isAfter(session.lastSeenAt().plus(IDLE)) || now.isAfter(session.createdAt().plus(ABSOLUTE));
    }

    private String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
