package dev.postroom.server.fuzz;

import dev.postroom.Postroom;
import dev.postroom.SendResult;
import dev.postroom.server.audit.AuditLog;
import dev.postroom.server.auth.AuthStore;
import dev.postroom.server.auth.Role;
import dev.postroom.server.auth.Scope;
import dev.postroom.store.sqlite.SqliteMessageStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fingerprint the fuzzer compares around every rejected request moves with each kind of
 * change a request could make, and not with what every request moves (a token's last use).
 */
class StateFingerprintTest {
    @TempDir
    Path dir;

    @Test
    void everyKindOfChangeMovesTheFingerprintAndTokenUseDoesNot() throws Exception {
        try (AuthStore auth = AuthStore.open(dir); AuditLog audit = AuditLog.open(dir, InstantSource.system());
             Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(dir.resolve("data"))).maintenanceInterval(null).build()) {
            StateFingerprint fingerprint = new StateFingerprint(postroom, auth, audit);
            String secret = auth.createToken("t", List.of(Scope.parse("read")), Instant.now()).secret();
            String state = fingerprint.global();

            auth.verify(secret, Instant.now().plusSeconds(3600)); // a use: lastUsedAt moves
            assertThat(fingerprint.global()).as("a token's use").isEqualTo(state);

            postroom.createQueue("q");
            state = changed(fingerprint, state, "a queue");
            SendResult sent = postroom.send("q", Map.of("n", 1)).join();
            state = changed(fingerprint, state, "a message");
            postroom.pause("q");
            state = changed(fingerprint, state, "a pause");
            postroom.topics().create("t");
            state = changed(fingerprint, state, "a topic");
            auth.addUser("u", "password-1234", Role.VIEWER, Instant.now());
            state = changed(fingerprint, state, "a user");
            auth.setPassword("u", "password-5678");
            state = changed(fingerprint, state, "a password");
            audit.record("user:admin", "queue.pause", "queue", "q", null, null);
            changed(fingerprint, state, "an audit entry");

            String message = fingerprint.message(sent.id());
            postroom.cancel(sent.id());
            assertThat(fingerprint.message(sent.id())).as("the message named").isNotEqualTo(message);
            assertThat(fingerprint.message("no-such-id")).isEqualTo("-");
        }
    }

    private static String changed(StateFingerprint fingerprint, String before, String what) {
        String after = fingerprint.global();
        assertThat(after).as(what).isNotEqualTo(before);
        return after;
    }
}
