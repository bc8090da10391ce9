package dev.postroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postroom.server.http.TestServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.postroom.server.http.TestServer.assertProblem;
import static dev.postroom.server.http.TestServer.uniqueQueue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Batches over HTTP: {@code messages:batch} with a {@code batch} object, the batch's state at
 * {@code GET /api/v1/batches/{id}} as its members move, its completion message once they have all
 * ended, and the errors and scopes of the completion message.
 */
class BatchRoutesTest {
    @RegisterExtension
    static final TestServer server = new TestServer();

    private static String queue(String prefix) {
        String queue = uniqueQueue(prefix);
        server.createQueue(queue);
        return queue;
    }

    private static Reply sendBatch(String queue, String token, String body) {
        return server.post("/api/v1/queues/" + queue + "/messages:batch", token, body);
    }

    private static JsonNode batch(String id) {
        Reply reply = server.get("/api/v1/batches/" + id, server.admin);
        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        return reply.json();
    }

    private static void ackOne(String queue) {
        JsonNode leased = server.receiveOne(queue);
        Reply acked = server.post("/api/v1/messages/" + leased.get("id").asText() + "/ack", server.admin,
                "{\"leaseId\":\"" + leased.get("leaseId").asText() + "\"}");
        assertThat(acked.status()).as("%s", acked).isEqualTo(200);
    }

    @Test
    void aBatchIsSentFollowedAndCompletedWithItsCompletionMessage() {
        String jobs = queue("bjobs");
        String done = queue("bdone");

        Reply sent = sendBatch(jobs, server.admin, "{\"messages\":[{\"payload\":1},{\"payload\":2}],"
                + "\"batch\":{\"onComplete\":{\"queue\":\"" + done + "\",\"payload\":{\"report\":\"r-1\"},\"headers\":{\"tenant\":\"acme\"}}}}");

        assertThat(sent.status()).as("%s", sent).isEqualTo(201);
        String batchId = sent.json().get("batchId").asText();
        List<String> members = new ArrayList<>();
        sent.json().get("results").forEach(r -> members.add(r.get("id").asText()));
        assertThat(members).hasSize(2);
        assertThat(server.message(members.getFirst()).get("batchId").asText()).isEqualTo(batchId);
        JsonNode open = batch(batchId);
        assertThat(open.get("queue").asText()).isEqualTo(jobs);
        assertThat(open.get("total").asInt()).isEqualTo(2);
        assertThat(open.get("pending").asInt()).isEqualTo(2);
        assertThat(open.get("complete").asBoolean()).isFalse();
        assertThat(open.get("completedAt").isNull()).isTrue();
        assertThat(open.get("completionQueue").asText()).isEqualTo(done);

        ackOne(jobs);
        assertThat(batch(batchId).get("succeeded").asInt()).isEqualTo(1);
        ackOne(jobs);

        await().atMost(Duration.ofSeconds(30)).until(() -> batch(batchId).get("complete").asBoolean());
        JsonNode complete = batch(batchId);
        assertThat(complete.get("succeeded").asInt()).isEqualTo(2);
        assertThat(complete.get("pending").asInt()).isZero();
        JsonNode report = server.message(complete.get("completionMessageId").asText());
        assertThat(report.get("queue").asText()).isEqualTo(done);
        assertThat(report.get("payload").get("report").asText()).isEqualTo("r-1");
        assertThat(report.get("headers").get("tenant").asText()).isEqualTo("acme");
        assertThat(report.get("headers").get("postroom-batch-id").asText()).isEqualTo(batchId);
        assertThat(report.get("headers").get("postroom-batch-succeeded").asText()).isEqualTo("2");
        assertThat(report.get("batchId").isNull()).as("the completion message is no member").isTrue();
        Reply listed = server.get("/api/v1/batches/" + batchId + "/messages?limit=1", server.admin);
        assertThat(listed.json().get("messages").get(0).get("id").asText()).isEqualTo(members.getFirst());
        assertThat(listed.json().get("messages").get(0).get("batchId").asText()).isEqualTo(batchId);
        Reply rest = server.get("/api/v1/batches/" + batchId + "/messages?after=" + listed.json().get("next").asText(), server.admin);
        assertThat(rest.json().get("messages").get(0).get("id").asText()).isEqualTo(members.get(1));
        assertThat(rest.json().get("next").isNull()).isTrue();
    }

    @Test
    void withoutBatchTheAnswerHasNoBatchIdAndTheMessagesNone() {
        String queue = queue("bplain");

        Reply sent = sendBatch(queue, server.admin, "{\"messages\":[{\"payload\":1}]}");

        assertThat(sent.status()).isEqualTo(201);
        assertThat(sent.json().has("batchId")).isFalse();
        assertThat(server.message(sent.json().get("results").get(0).get("id").asText()).get("batchId").isNull()).isTrue();
    }

    @Test
    void theCompletionQueueNeedsSendScopeTooAndARefusalStoresNothing() {
        String jobs = queue("bscope");
        String elsewhere = queue("other-done");
        String producer = server.token("send:" + jobs);

        assertProblem(sendBatch(jobs, producer, "{\"messages\":[{\"payload\":1}],\"batch\":{\"onComplete\":{\"queue\":\"" + elsewhere + "\"}}}"), 403);

        assertThat(server.counts(jobs).get("ready").asInt()).isZero();
        Reply allowed = sendBatch(jobs, producer, "{\"messages\":[{\"payload\":1}],\"batch\":{\"onComplete\":{\"queue\":\"" + jobs + "\"}}}");
        assertThat(allowed.status()).as("%s", allowed).isEqualTo(201);
    }

    @Test
    void badBatchesAreRefusedNamingTheFieldAndStoreNothing() {
        String jobs = queue("bbad");
        String done = queue("bbad-done");

        assertProblem(sendBatch(jobs, server.admin, "{\"messages\":[{\"payload\":1}],\"batch\":{\"onComplete\":{}}}"), 422,
                "batch.onComplete.queue");
        assertProblem(sendBatch(jobs, server.admin, "{\"messages\":[{\"payload\":1}],\"batch\":{\"onComplete\":{\"queue\":\"nowhere-b\"}}}"), 404);
        assertProblem(sendBatch(jobs, server.admin, "{\"messages\":[{\"payload\":1},{\"payload\":2,\"idempotencyKey\":\"k\"}],\"batch\":{}}"), 422,
                "messages[1].idempotencyKey");
        assertProblem(sendBatch(jobs, server.admin, "{\"messages\":[{\"payload\":1}],\"batch\":{\"onComplete\":{\"queue\":\"" + done
                + "\",\"headers\":{\"postroom-batch-total\":\"9\"}}}}"), 422, "batch.onComplete.headers.postroom-batch-total");
        assertProblem(sendBatch(jobs, server.admin, "{\"messages\":[{\"payload\":1}],\"batch\":{\"onFinish\":{}}}"), 400);

        assertThat(server.counts(jobs).get("ready").asInt()).isZero();
    }

    @Test
    void batchesAreListedNewestFirstAndAnUnknownOneIs404() {
        String jobs = queue("blist");
        String first = sendBatch(jobs, server.admin, "{\"messages\":[{\"payload\":1}],\"batch\":{}}").json().get("batchId").asText();
        String second = sendBatch(jobs, server.admin, "{\"messages\":[{\"payload\":2}],\"batch\":{}}").json().get("batchId").asText();

        Reply page = server.get("/api/v1/batches?limit=1", server.admin);
        Reply next = server.get("/api/v1/batches?limit=1&before=" + page.json().get("next").asText(), server.admin);

        assertThat(page.json().get("batches").get(0).get("id").asText()).isEqualTo(second);
        assertThat(next.json().get("batches").get(0).get("id").asText()).isEqualTo(first);
        JsonNode unknown = assertProblem(server.get("/api/v1/batches/" + MessageRoutesTest.UNKNOWN_ID, server.admin), 404);
        assertThat(unknown.get("title").asText()).isEqualTo("Batch not found");
        assertProblem(server.get("/api/v1/batches?limit=0", server.admin), 422, "limit");
    }

    @Test
    void aProducerSeesItsBatchAndATokenOfOtherQueuesGets404() {
        String jobs = queue("bseen");
        String producer = server.token("send:" + jobs);
        String batchId = sendBatch(jobs, producer, "{\"messages\":[{\"payload\":1}],\"batch\":{}}").json().get("batchId").asText();

        assertThat(server.get("/api/v1/batches/" + batchId, producer).status()).isEqualTo(200);
        assertThat(server.get("/api/v1/batches/" + batchId, server.token("receive:" + jobs)).status()).isEqualTo(200);
        assertProblem(server.get("/api/v1/batches/" + batchId, server.token("send:other-*")), 404);
        assertProblem(server.get("/api/v1/batches/" + batchId + "/messages", server.token("send:other-*")), 404);
        assertProblem(server.get("/api/v1/batches", producer), 403);
    }
}
