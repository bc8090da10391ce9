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

/** {@code archiveHours}, {@code /api/v1/archive} and {@code /api/v1/replays}: browse, masking, a replay with its audit, and refusals. */
class ArchiveRoutesTest {
    @RegisterExtension
    static final TestServer server = new TestServer();

    @Test
    void archivedMessagesAreBrowsedAndReplayedIntoAQueueAsNewMessagesLinkedToTheirOriginals() {
        String queue = uniqueQueue("arc");
        String original = server.archived(queue, "{\"order\": \"o-7\", \"card\": \"4111\"}", "{\"refunded\": true}");
        assertThat(server.get("/api/v1/queues/" + queue, server.admin).json().get("policy").get("archiveHours").asDouble()).isEqualTo(24.0);

        JsonNode page = server.get("/api/v1/archive?queue=" + queue + "&state=SUCCEEDED", server.admin).json();
        assertThat(page.get("messages").get(0).get("id").asText()).isEqualTo(original);
        assertThat(page.get("messages").get(0).get("payloadPreview").asText()).contains("o-7");
        JsonNode archived = server.get("/api/v1/archive/" + original, server.admin).json();
        assertThat(archived.get("result").get("refunded").asBoolean()).isTrue();
        assertProblem(server.get("/api/v1/messages/" + original, server.admin), 404);

        Reply preview = server.post("/api/v1/replays", server.admin, "{\"filter\": {\"queue\": \"" + queue + "\"}, \"dryRun\": true}");
        assertThat(preview.status()).as("%s", preview).isEqualTo(200);
        assertThat(preview.json().get("count").asInt()).isEqualTo(1);
        assertThat(preview.json().get("sample").get(0).asText()).isEqualTo(original);

        Reply started = server.post("/api/v1/replays", server.token("operate"), "{\"filter\": {\"queue\": \"" + queue + "\", \"state\": \"SUCCEEDED\", "
                + "\"since\": \"2000-01-01T00:00:00Z\", \"q\": \"o-7\"}}");

        assertThat(started.status()).as("%s", started).isEqualTo(202);
        String id = started.json().get("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> server.get("/api/v1/replays/" + id, server.admin).json()
                .get("state").asText().equals("SUCCEEDED"));
        assertThat(server.get("/api/v1/replays/" + id, server.admin).json().get("replayed").asInt()).isEqualTo(1);
        JsonNode copy = server.get("/api/v1/messages?queue=" + queue + "&state=READY", server.admin).json().get("messages").get(0);
        JsonNode full = server.message(copy.get("id").asText());
        assertThat(full.get("headers").get("postroom-replay-of").asText()).isEqualTo(original);
        assertThat(full.get("payload").get("order").asText()).isEqualTo("o-7");
        assertThat(server.get("/api/v1/replays", server.admin).json().get("replays").toString()).contains(id);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.audit().browse(AuditQuery.builder().target(id).build()).entries().size() == 2);
        assertThat(server.audit().browse(AuditQuery.builder().target(id).build()).entries()).extracting(AuditEntry::action)
                .containsExactlyInAnyOrder("replay.start", "replay.end");
    }

    @Test
    void sensitiveFieldsAreMaskedInTheArchiveForReaders() {
        String queue = uniqueQueue("arcm");
        String original = server.archived(queue, "{\"card\": \"4111\"}", "null");
        server.put("/api/v1/queues/" + queue, server.admin, "{\"sensitiveFields\": [\"/card\"]}");

        assertThat(server.get("/api/v1/archive/" + original, server.token("read")).json().get("payload").get("card").asText()).isEqualTo("***");
        assertThat(server.get("/api/v1/archive?queue=" + queue, server.token("read")).body()).doesNotContain("4111");
        assertThat(server.get("/api/v1/archive/" + original, server.admin).json().get("payload").get("card").asText()).isEqualTo("4111");
    }

    @Test
    void badReplaysAreRefusedAndReadersMayNotReplay() {
        String queue = uniqueQueue("arcr");
        server.createQueue(queue);
        assertProblem(server.post("/api/v1/replays", server.admin, "{\"dryRun\": true}"), 422, "filter");
        assertProblem(server.post("/api/v1/replays", server.admin, "{\"filter\": {\"queue\": \"" + queue + "\", \"state\": \"READY\"}}"),
                422, "filter.state");
        assertProblem(server.post("/api/v1/replays", server.admin, "{\"filter\": {\"queue\": \"" + queue + "\", \"since\": \"yesterday\"}}"),
                400, "filter.since");
        assertProblem(server.post("/api/v1/replays", server.admin, "{\"filter\": {\"queue\": \"" + queue + "\"}, \"toQueue\": \"nope-" + queue + "\"}"),
                404);
        assertProblem(server.post("/api/v1/replays", server.token("read"), "{\"filter\": {\"queue\": \"" + queue + "\"}}"), 403);
        assertProblem(server.post("/api/v1/replays", server.token("operate"), "{\"filter\": {\"queue\": \"" + queue + "\"}, "
                + "\"toQueue\": \"postroom.webhooks\", \"dryRun\": true}"), 403);
        assertProblem(server.post("/api/v1/replays", server.token("operate"), "{\"filter\": {\"queue\": \"postroom.webhooks\"}, \"dryRun\": true}"),
                403);
        assertProblem(server.put("/api/v1/queues/" + queue, server.admin, "{\"archiveHours\": 0.001}"), 422, "archiveHours");
        assertProblem(server.get("/api/v1/replays/nope", server.admin), 404);
        assertProblem(server.get("/api/v1/archive/nope", server.admin), 404);
    }
}
