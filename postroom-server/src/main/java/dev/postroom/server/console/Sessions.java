package dev.postroom.server.console;

import dev.postroom.server.auth.Role;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Console sessions, in memory: a restart signs everyone out, which is the safe direction. Ids and
 * CSRF tokens are 256 random bits. A session ends after {@link #IDLE} without a request or
 * {@link #ABSOLUTE} after sign-in, whichever comes first.
 */
final class Sessions {
    static final Duration IDLE = Duration.ofHours(2);
    static final Duration ABSOLUTE = Duration.ofHours(12);
    /** Beyond this many live sessions the oldest is dropped, so a login flood cannot exhaust memory. */
    static final int MAX_SESSIONS = 10_000;

    private final Map<String, Session> byId = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    Session create(String username, Role role, Instant now) {
        if (byId.size() >= MAX_SESSIONS) {
            expire(now);
            byId.values().stream().min(Comparator.comparing(Session::lastSeenAt))
                    .ifPresent(oldest -> byId.remove(oldest.id()));
        }
        Session session = new Session(randomToken(), username, role, randomToken(), now);
        byId.put(session.id(), session);
        return session;
    }

    /** The live session with this id, touched; empty when unknown or expired. */
    Optional<Session> find(String id, Instant now) {
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
        session.seen(now);
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
