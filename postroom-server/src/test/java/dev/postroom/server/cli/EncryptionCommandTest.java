package dev.postroom.server.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code postroom encryption}: key ids and encrypted queues; {@code --reencrypt} follows a re-encryption to its end. */
class EncryptionCommandTest {
    private final CannedServer server = new CannedServer();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void showsTheKeyIdsAndTheEncryptedQueues() {
        server.answer("GET", "/api/v1/encryption", 200, "{\"keyIds\":[\"new\",\"old\"],\"encryptingKeyId\":\"new\","
                + "\"encryptedQueues\":[\"billing.refund\"],\"reencryption\":null}");

        CliRun run = CliRun.run(new EncryptionCommand(), "--url", server.url());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("keys: new, old (encrypting: new)\nencrypted queues: billing.refund\n");
    }

    @Test
    void reencryptFollowsTheRunToItsEndAndFailsWhenItFails() {
        server.answer("POST", "/api/v1/encryption/reencrypt", 202, "{\"keyIds\":[\"new\"],\"encryptingKeyId\":\"new\",\"encryptedQueues\":[],"
                + "\"reencryption\":{\"state\":\"RUNNING\",\"examined\":0,\"rewritten\":0,\"skipped\":0}}");
        server.answer("GET", "/api/v1/encryption", 200, "{\"keyIds\":[\"new\"],\"encryptingKeyId\":\"new\",\"encryptedQueues\":[],"
                + "\"reencryption\":{\"state\":\"FAILED\",\"examined\":10,\"rewritten\":4,\"skipped\":0,\"error\":\"key 'old' is missing\"}}");

        CliRun run = CliRun.run(new EncryptionCommand(), "--reencrypt", "--url", server.url());

        assertThat(run.out()).contains("re-encryption FAILED: 10 examined, 4 rewritten, 0 skipped");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("re-encryption is FAILED: key 'old' is missing");
    }
}
