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

/** {@code /api/v1/erasures}: a dry run, the erasure, its progress, its audit entries, and its refusals. */
class ErasureRoutesTest {
    @RegisterExtension
    static final TestServer server = new TestServer();

    @Test
    void aDryRunCountsThenTheErasureRemovesTheCustomersMessagesAndIsAuditedWithoutThem() {
        String queue = uniqueQueue("er");
        server.createQueue(queue);
        String customer = "customer-" + queue;
        String first = server.post("/api/v1/queues/" + queue + "/messages", server.admin,
                "{\"payload\": {\"card\": \"4111\"}, \"orderingKey\": \"" + customer + "\"}").json().get("id").asText();
        server.post("/api/v1/queues/" + queue + "/messages", server.admin, "{\"payload\": 2, \"orderingKey\": \"" + customer + "\"}");
        String other = server.send(queue, "{\"someone\": \"else\"}");
        String filter = "{\"filter\": {\"orderingKey\": \"" + customer + "\"}";

        Reply preview = server.post("/api/v1/erasures", server.admin, filter + ", \"dryRun\": true}");
        assertThat(preview.status()).as("%s", preview).isEqualTo(200);
        assertThat(preview.json().get("count").asInt()).isEqualTo(2);
        assertThat(preview.json().get("sample").get(0).asText()).isEqualTo(first);

        Reply started = server.post("/api/v1/erasures", server.admin, filter + "}");

        assertThat(started.status()).as("%s", started).isEqualTo(202);
        String id = started.json().get("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> server.get("/api/v1/erasures/" + id, server.admin).json()
                .get("state").asText().equals("SUCCEEDED"));
        JsonNode done = server.get("/api/v1/erasures/" + id, server.admin).json();
        assertThat(done.get("erased").asInt()).isEqualTo(2);
        assertProblem(server.get("/api/v1/messages/" + first, server.admin), 404);
        assertThat(server.message(other).get("id").asText()).isEqualTo(other);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.audit().browse(AuditQuery.builder().target(id).build()).entries().size() == 2);
        assertThat(server.audit().browse(AuditQuery.builder().target(id).build()).entries())
                .extracting(AuditEntry::action).containsExactlyInAnyOrder("erasure.start", "erasure.end");
        assertThat(server.get("/api/v1/audit?target=" + id, server.admin).body()).contains(customer).doesNotContain("4111");
    }

    @Test
    void badFiltersAreRefusedAndOnlyAdminsErase() {
        assertProblem(server.post("/api/v1/erasures", server.admin, "{\"dryRun\": true}"), 422, "filter");
        assertProblem(server.post("/api/v1/erasures", server.admin, "{\"filter\": {}}"), 422, "filter");
        assertProblem(server.post("/api/v1/erasures", server.admin, "{\"filter\": {\"payload\": {\"pointer\": \"customer\", \"value\": 7}}}"),
                422, "filter.payload.pointer");
        assertProblem(server.post("/api/v1/erasures", server.admin, "{\"filter\": {\"payload\": {\"pointer\": \"/c\", \"value\": {\"a\": 1}}}}"),
                422, "filter.payload.value");
        assertProblem(server.post("/api/v1/erasures", server.token("operate"), "{\"filter\": {\"orderingKey\": \"k\"}}"), 403);
        assertProblem(server.get("/api/v1/erasures/nope", server.admin), 404);
    }
}
