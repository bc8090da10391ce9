package dev.postroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postroom.server.http.TestServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.postroom.server.http.TestServer.JSON;
import static dev.postroom.server.http.TestServer.assertProblem;
import static dev.postroom.server.http.TestServer.uniqueQueue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /api/v1/audit}, and what the other routes record there: every operator action that
 * succeeded, with the token as actor and the client's address; nothing for refused or failed
 * requests, nothing for message traffic, never a secret.
 */
class AuditRoutesTest {
    @RegisterExtension
    static final TestServer server = new TestServer();

    private static String newQueue() {
        String queue = uniqueQueue("audited");
        server.createQueue(queue);
        return queue;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** The entries answering {@code query} (e.g. {@code target=q}), asserting 200. */
    private static List<JsonNode> entries(String query) {
        Reply reply = server.get("/api/v1/audit?" + query, server.token("read"));
        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        List<JsonNode> entries = new ArrayList<>();
        reply.json().get("entries").forEach(entries::add);
        return entries;
    }

    private static List<String> actions(String query) {
        return entries(query).stream().map(e -> e.get("action").asText()).toList();
    }

    @Test
    void pausingAQueueRecordsTheTokenTheActionTheQueueAndTheAddress() {
        String queue = newQueue();
        String operate = server.token("operate");
        Instant before = Instant.now().minusSeconds(1);

        assertThat(server.post("/api/v1/queues/" + queue + "/pause", operate, null).status()).isEqualTo(200);

        List<JsonNode> entries = entries("target=" + queue + "&action=queue.pause");
        assertThat(entries).hasSize(1);
        JsonNode entry = entries.getFirst();
        assertThat(entry.get("id").isIntegralNumber()).isTrue();
        assertThat(Instant.parse(entry.get("at").asText())).isBetween(before, Instant.now());
        assertThat(entry.get("actor").asText()).isEqualTo(server.actorOf(operate)).startsWith("token:test-operate/");
        assertThat(entry.get("action").asText()).isEqualTo("queue.pause");
        assertThat(entry.get("targetType").asText()).isEqualTo("queue");
        assertThat(entry.get("target").asText()).isEqualTo(queue);
        assertThat(entry.get("detail")).isEqualTo(JSON.createObjectNode());
        assertThat(entry.get("address").asText()).isEqualTo("127.0.0.1");
    }

    @Test
    void aRefusedActionRecordsNothing() {
        String queue = newQueue();

        assertProblem(server.post("/api/v1/queues/" + queue + "/pause", server.token("read"), null), 403);
        assertProblem(server.post("/api/v1/queues/" + queue + "/purge", server.token("send:*"), "{\"states\":[\"DEAD\"]}"), 403);
        assertProblem(server.delete("/api/v1/queues/" + queue, server.token("operate")), 403);

        assertThat(actions("target=" + queue)).containsExactly("queue.create");
    }

    @Test
    void aFailedActionRecordsNothing() {
        String queue = newQueue();
        server.send(queue, "{}");

        assertProblem(server.delete("/api/v1/queues/" + queue, server.admin), 409);
        assertProblem(server.post("/api/v1/queues/" + queue + "/purge", server.admin, "{\"states\":[\"GONE\"]}"), 422);
        assertProblem(server.put("/api/v1/queues/" + queue, server.admin, "{\"maxAttempts\":0}"), 422);
        String missing = uniqueQueue("missing");
        assertProblem(server.post("/api/v1/queues/" + missing + "/pause", server.admin, null), 404);

        assertThat(actions("target=" + queue)).containsExactly("queue.create");
        assertThat(actions("target=" + missing)).isEmpty();
    }

    @Test
    void queueActionsAreRecordedNewestFirstWithTheirDetail() {
        String queue = uniqueQueue("audited");
        server.createQueue(queue, "{\"maxAttempts\":4,\"backoff\":{\"initialSeconds\":2}}");
        assertThat(server.put("/api/v1/queues/" + queue, server.admin, "{\"leaseSeconds\":60}").status()).isEqualTo(200);
        assertThat(server.post("/api/v1/queues/" + queue + "/pause", server.admin, null).status()).isEqualTo(200);
        assertThat(server.post("/api/v1/queues/" + queue + "/resume", server.admin, null).status()).isEqualTo(200);
        server.send(queue, "{}");
        server.send(queue, "{}");
        assertThat(server.post("/api/v1/queues/" + queue + "/purge", server.admin, "{\"states\":[\"READY\",\"DEAD\"]}").status())
                .isEqualTo(200);
        assertThat(server.post("/api/v1/queues/" + queue + "/redrive", server.admin, "{}").status()).isEqualTo(200);
        assertThat(server.delete("/api/v1/queues/" + queue + "?force=true", server.admin).status()).isEqualTo(204);

        List<JsonNode> entries = entries("target=" + queue);

        assertThat(entries).extracting(e -> e.get("action").asText()).containsExactly(
                "queue.delete", "queue.redrive", "queue.purge", "queue.resume", "queue.pause", "queue.update", "queue.create");
        assertThat(entries.get(0).get("detail").toString()).isEqualTo("{\"force\":true}");
        assertThat(entries.get(1).get("detail").toString()).isEqualTo("{\"redriven\":0}");
        assertThat(entries.get(2).get("detail").get("purged").asInt()).isEqualTo(2);
        assertThat(entries.get(2).get("detail").get("states")).extracting(JsonNode::asText).containsExactlyInAnyOrder("READY", "DEAD");
        assertThat(entries.get(5).get("detail").toString()).isEqualTo("{\"leaseSeconds\":60.0}");
        assertThat(entries.get(6).get("detail").toString()).isEqualTo("{\"backoff\":{\"initialSeconds\":2.0},\"maxAttempts\":4}");
        assertThat(entries).allSatisfy(e -> assertThat(e.get("actor").asText()).isEqualTo(server.actorOf(server.admin)));
    }

    @Test
    void messageActionsAreRecordedByMessageIdWithTheQueue() {
        String queue = newQueue();
        String id = server.send(queue, "{}");

        assertThat(server.post("/api/v1/messages/" + id + "/cancel", server.admin, null).status()).isEqualTo(200);
        assertThat(server.post("/api/v1/messages/" + id + "/retry", server.admin, null).status()).isEqualTo(200);
        assertThat(server.delete("/api/v1/messages/" + id, server.admin).status()).isEqualTo(204);

        List<JsonNode> entries = entries("target=" + id);
        assertThat(entries).extracting(e -> e.get("action").asText()).containsExactly("message.delete", "message.retry", "message.cancel");
        assertThat(entries).allSatisfy(e -> {
            assertThat(e.get("targetType").asText()).isEqualTo("message");
            assertThat(e.get("detail").get("queue").asText()).isEqualTo(queue);
        });
        assertThat(entries.get(2).get("detail").get("state").asText()).isEqualTo("CANCELLED");
        assertThat(entries.get(1).get("detail").get("state").asText()).isEqualTo("READY");
    }

    @Test
    void sendingReceivingAndSettlingAreNotRecorded() {
        String queue = newQueue();
        String id = server.send(queue, "{}");
        String lease = server.receiveOne(queue).get("leaseId").asText();
        assertThat(server.post("/api/v1/messages/" + id + "/ack", server.admin, "{\"leaseId\":\"" + lease + "\"}").status()).isEqualTo(200);

        assertThat(actions("target=" + queue)).containsExactly("queue.create");
        assertThat(actions("target=" + id)).isEmpty();
    }

    @Test
    void tokenAndUserActionsAreRecordedWithoutTheirSecrets() {
        Reply created = server.post("/api/v1/tokens", server.admin, "{\"name\":\"audited-bot\",\"scopes\":[\"read\",\"send:a.*\"]}");
        String tokenId = created.json().get("id").asText();
        String secret = created.json().get("token").asText();
        assertThat(server.delete("/api/v1/tokens/" + tokenId, server.admin).status()).isEqualTo(204);
        String password = "first-secret-password";
        assertThat(server.post("/api/v1/users", server.admin,
                "{\"username\":\"audited-carol\",\"password\":\"" + password + "\",\"role\":\"operator\"}").status()).isEqualTo(201);
        assertThat(server.put("/api/v1/users/audited-carol/password", server.admin, "{\"password\":\"second-secret-password\"}").status())
                .isEqualTo(204);
        assertThat(server.delete("/api/v1/users/audited-carol", server.admin).status()).isEqualTo(204);

        List<JsonNode> tokenEntries = entries("target=" + tokenId);
        assertThat(tokenEntries).extracting(e -> e.get("action").asText()).containsExactly("token.revoke", "token.create");
        assertThat(tokenEntries.get(1).get("detail").toString()).isEqualTo("{\"name\":\"audited-bot\",\"scopes\":[\"read\",\"send:a.*\"]}");
        List<JsonNode> userEntries = entries("target=audited-carol");
        assertThat(userEntries).extracting(e -> e.get("action").asText()).containsExactly("user.remove", "user.passwd", "user.add");
        assertThat(userEntries.get(2).get("detail").toString()).isEqualTo("{\"role\":\"operator\"}");
        assertThat(userEntries).allSatisfy(e -> assertThat(e.get("targetType").asText()).isEqualTo("user"));
        String everything = server.get("/api/v1/audit?limit=200", server.admin).body();
        assertThat(everything).doesNotContain(secret).doesNotContain(password).doesNotContain("second-secret-password")
                .doesNotContain(server.admin);
    }

    @Test
    void filtersByActorAndActionCombine() {
        String queue = newQueue();
        String first = server.token("operate", "read");
        String second = server.token("operate");
        server.post("/api/v1/queues/" + queue + "/pause", first, null);
        server.post("/api/v1/queues/" + queue + "/resume", second, null);
        server.post("/api/v1/queues/" + queue + "/pause", second, null);

        String byFirst = "actor=" + encode(server.actorOf(first));
        String bySecond = "actor=" + encode(server.actorOf(second));

        assertThat(actions(byFirst)).containsExactly("queue.pause");
        assertThat(actions(bySecond)).containsExactly("queue.pause", "queue.resume");
        assertThat(actions(bySecond + "&action=queue.resume")).containsExactly("queue.resume");
        assertThat(actions(bySecond + "&action=queue.purge")).isEmpty();
    }

    @Test
    void pagingFollowsTheNextCursorAndListsEachEntryOnce() {
        String queue = newQueue();
        for (int i = 0; i < 4; i++) {
            server.post("/api/v1/queues/" + queue + (i % 2 == 0 ? "/pause" : "/resume"), server.admin, null);
        }
        String read = server.token("read");

        List<Long> ids = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        String next = null;
        do {
            Reply reply = server.get("/api/v1/audit?target=" + queue + "&limit=2" + (next == null ? "" : "&after=" + encode(next)), read);
            assertThat(reply.status()).as("%s", reply).isEqualTo(200);
            reply.json().get("entries").forEach(e -> ids.add(e.get("id").asLong()));
            sizes.add(reply.json().get("entries").size());
            next = reply.json().get("next").isNull() ? null : reply.json().get("next").asText();
        } while (next != null);

        assertThat(sizes).containsExactly(2, 2, 1);
        assertThat(ids).doesNotHaveDuplicates().isSortedAccordingTo((a, b) -> Long.compare(b, a));
    }

    @Test
    void theLastPageHasANullNext() {
        String queue = newQueue();

        JsonNode page = server.get("/api/v1/audit?target=" + queue, server.admin).json();

        assertThat(page.has("next")).isTrue();
        assertThat(page.get("next").isNull()).isTrue();
    }

    @Test
    void sinceAndUntilSelectByTime() {
        String queue = newQueue();
        String soon = encode(Instant.now().plus(Duration.ofMinutes(1)).toString());
        String past = encode(Instant.now().minus(Duration.ofMinutes(1)).toString());

        assertThat(actions("target=" + queue + "&since=" + soon)).isEmpty();
        assertThat(actions("target=" + queue + "&since=" + past + "&until=" + soon)).containsExactly("queue.create");
        assertThat(actions("target=" + queue + "&until=" + past)).isEmpty();
        assertThat(actions("target=" + queue + "&since=" + encode("2026-01-01T00:00:00+01:00"))).containsExactly("queue.create");
    }

    @Test
    void badParametersAreProblemsNamingTheField() {
        String read = server.token("read");

        assertProblem(server.get("/api/v1/audit?limit=ten", read), 400, "limit");
        assertProblem(server.get("/api/v1/audit?limit=0", read), 422, "limit");
        assertProblem(server.get("/api/v1/audit?limit=201", read), 422, "limit");
        assertProblem(server.get("/api/v1/audit?since=yesterday", read), 400, "since");
        assertProblem(server.get("/api/v1/audit?until=2026-13-01", read), 400, "until");
        assertProblem(server.get("/api/v1/audit?since=2026-03-02T00:00:00Z&until=2026-03-01T00:00:00Z", read), 422, "until");
        assertProblem(server.get("/api/v1/audit?after=not-a-cursor", read), 422, "after");
        assertThat(server.get("/api/v1/audit?limit=200", read).status()).isEqualTo(200);
        assertThat(server.get("/api/v1/audit?limit=1", read).status()).isEqualTo(200);
    }
}
