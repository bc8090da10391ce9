package dev.postroom.server.fuzz;

import dev.postroom.Postroom;
import dev.postroom.server.audit.AuditLog;
import dev.postroom.server.audit.AuditQuery;
import dev.postroom.server.auth.ApiToken;
import dev.postroom.server.auth.AuthStore;

import java.util.Objects;

/**
 * Everything a request could change, read through the Java API and compared as text: queues
 * (policy, paused, counts per state), topics and subscriptions, schedules, the newest batch,
 * tokens (without their last use, which every request moves), users and their credentials, the
 * newest audit entry, and the one message a request names. Counts per state stand for the
 * messages of a queue: a rejected send, purge, redrive or receive that wrote anything moves one.
 *
 * <p>Sound only while nothing but requests changes the store: the fuzzer's server runs without
 * background upkeep (no lease expiry, promotion, schedules or retention between two readings).
 */
final class StateFingerprint {
    private final Postroom postroom;
    private final AuthStore auth;
    private final AuditLog audit;

    StateFingerprint(Postroom postroom, AuthStore auth, AuditLog audit) {
        this.postroom = postroom;
        this.auth = auth;
        this.audit = audit;
    }

    /** The whole state but messages one by one. */
    String global() {
        StringBuilder state = new StringBuilder(4096);
        state.append(postroom.queues()).append('\n');
        state.append(postroom.topics().list()).append('\n');
        state.append(postroom.schedules().list()).append('\n');
        state.append(postroom.batches().list(null, 1).batches()).append('\n');
        for (ApiToken token : auth.tokens()) {
            state.append(token.id()).append(' ').append(token.name()).append(' ').append(token.scopes()).append('\n');
        }
        auth.users().forEach(user -> state.append(user).append(' ').append(auth.credentialStamp(user.username()).orElse("-")).append('\n'));
        state.append(audit.browse(AuditQuery.builder().limit(1).build()).entries()).append('\n');
        return state.toString();
    }

    /** One message, whole (state, attempt, lease, progress, result, errors, timeline), or "-" when there is none. */
    String message(String id) {
        if (id == null) {
            return "-";
        }
        try {
            return Objects.toString(postroom.get(id).orElse(null), "-");
        } catch (RuntimeException notAnId) {
            return "-";
        }
    }
}
