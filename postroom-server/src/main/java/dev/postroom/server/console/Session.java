package dev.postroom.server.console;

import dev.postroom.server.auth.Role;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A signed-in console user. The id travels only in an HttpOnly cookie; the CSRF token is
 * rendered into every form and htmx request and compared on every state-changing request.
 */
final class Session {
    private final String id;
    private final String username;
    private final Role role;
    private final String csrfToken;
    private final Instant createdAt;
    private final String credentialStamp;
    private volatile Instant lastSeenAt;
    private volatile Instant checkedAt;
    private final AtomicReference<String> flash = new AtomicReference<>();

    Session(String id, String username, Role role, String csrfToken, Instant createdAt, String credentialStamp) {
        this.id = id;
        this.username = username;
        this.role = role;
        this.csrfToken = csrfToken;
        this.createdAt = createdAt;
        this.credentialStamp = credentialStamp;
        this.lastSeenAt = createdAt;
        this.checkedAt = createdAt;
    }

    String id() {
        return id;
    }

    String username() {
        return username;
    }

    Role role() {
        return role;
    }

    String csrfToken() {
        return csrfToken;
    }

    Instant createdAt() {
        return createdAt;
    }

    Instant lastSeenAt() {
        return lastSeenAt;
    }

    void seen(Instant now) {
        lastSeenAt = now;
    }

    /** The user's credential stamp at sign-in (see {@code AuthStore.credentialStamp}); null if it could not be read. */
    String credentialStamp() {
        return credentialStamp;
    }

    /** When the stamp was last found unchanged. */
    Instant checkedAt() {
        return checkedAt;
    }

    void checked(Instant now) {
        checkedAt = now;
    }

    /** Who did it, as the audit log names console users. */
    String actor() {
        return "user:" + username;
    }

    /** A one-line outcome shown once on the next page ("Retried 12 messages"). */
    void flash(String message) {
        flash.set(message);
    }

    String takeFlash() {
        return flash.getAndSet(null);
    }
}
