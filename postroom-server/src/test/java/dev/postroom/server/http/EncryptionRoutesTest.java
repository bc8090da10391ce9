package dev.postroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postroom.server.audit.AuditEntry;
import dev.postroom.server.audit.AuditQuery;
import dev.postroom.server.http.TestServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static dev.postroom.server.http.TestServer.assertProblem;
import static dev.postroom.server.http.TestServer.uniqueQueue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code encrypted} in queue policies, {@code /api/v1/encryption} and re-encryption, over HTTP. */
class EncryptionRoutesTest {
    @RegisterExtension
    static final TestServer server = new TestServer();

    @Test
    void anEncryptedQueueReadsPlainOverHttpAndReencryptionSealsWhatWasSentBefore() {
        String queue = uniqueQueue("enc");
        server.createQueue(queue);
        String before = server.send(queue, "{\"card\": \"4111\"}");
        assertThat(server.put("/api/v1/queues/" + queue, server.admin, "{\"encrypted\": true}").status()).isEqualTo(200);
        assertThat(server.get("/api/v1/queues/" + queue, server.admin).json().get("policy").get("encrypted").asBoolean()).isTrue();
        String after = server.send(queue, "{\"card\": \"5500\"}");

        assertThat(server.message(after).get("payload").get("card").asText()).isEqualTo("5500");
        JsonNode status = server.get("/api/v1/encryption", server.admin).json();
        assertThat(status.get("keyIds").toString()).isEqualTo("[\"test\"]");
        assertThat(status.get("encryptedQueues").toString()).contains(queue);

        Reply started = server.post("/api/v1/encryption/reencrypt", server.admin, null);

        assertThat(started.status()).as("%s", started).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> server.get("/api/v1/encryption", server.admin).json()
                .get("reencryption").get("state").asText().equals("SUCCEEDED"));
        JsonNode done = server.get("/api/v1/encryption", server.admin).json().get("reencryption");
        assertThat(done.get("rewritten").asLong()).as("%s", done).isGreaterThanOrEqualTo(1);
        assertThat(server.message(before).get("payload").get("card").asText()).isEqualTo("4111");
        await().atMost(Duration.ofSeconds(10)).until(() -> server.audit().browse(AuditQuery.builder().target("test").build()).entries().size() >= 2);
        assertThat(server.audit().browse(AuditQuery.builder().target("test").build()).entries()).extracting(AuditEntry::action)
                .contains("encryption.reencrypt.start", "encryption.reencrypt.end");
    }

    @Test
    void onlyAdminsSeeOrReencrypt() {
        assertProblem(server.get("/api/v1/encryption", server.token("operate")), 403);
        assertProblem(server.post("/api/v1/encryption/reencrypt", server.token("operate"), null), 403);
        assertThat(server.get("/api/v1/encryption", server.admin).body()).doesNotContain("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    }
}
