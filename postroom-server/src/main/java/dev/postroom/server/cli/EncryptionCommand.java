package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.math.BigDecimal;

/**
 * {@code postroom encryption}: the key ids and encrypted queues ({@code GET /api/v1/encryption}),
 * or with {@code --reencrypt} a re-encryption after a key rotation, waited for to its end.
 */
@Command(name = "encryption", sortOptions = false,
        description = "Show the encryption key ids and encrypted queues; --reencrypt rewrites stored messages "
                + "with the encrypting key (after a rotation, or after turning encryption on) and waits for the end.")
public final class EncryptionCommand extends ApiCommand {
    @Option(names = "--reencrypt", description = "Re-encrypt what an older key (or no key) left, then show the counts.")
    boolean reencrypt;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "How long to wait for the re-encryption to end (default 3600).")
    BigDecimal timeoutSeconds = BigDecimal.valueOf(3600);

    @Override
    void execute(ApiClient client) {
        JsonNode status = reencrypt ? client.post("/api/v1/encryption/reencrypt", null).body() : client.get("/api/v1/encryption").body();
        if (reencrypt) {
            status = JobPoll.untilEnded(client, status, "/api/v1/encryption", answer -> answer.path("reencryption"), timeoutSeconds,
                    "the re-encryption");
        }
        if (json()) {
            printJson(status);
        } else {
            out().printf("keys: %s (encrypting: %s)%n", status.path("keyIds").isEmpty() ? "none"
                    : String.join(", ", status.path("keyIds").valueStream().map(JsonNode::asText).toList()),
                    status.path("encryptingKeyId").isNull() ? "-" : text(status, "encryptingKeyId"));
            out().printf("encrypted queues: %s%n", status.path("encryptedQueues").isEmpty() ? "none"
                    : String.join(", ", status.path("encryptedQueues").valueStream().map(JsonNode::asText).toList()));
            JsonNode run = status.path("reencryption");
            if (!run.isMissingNode() && !run.isNull()) {
                out().printf("re-encryption %s: %s examined, %s rewritten, %s skipped%n", text(run, "state"), text(run, "examined"),
                        text(run, "rewritten"), text(run, "skipped"));
            }
        }
        if (reencrypt) {
            JobPoll.requireSucceeded(status.path("reencryption"), "re-encryption");
        }
    }
}
