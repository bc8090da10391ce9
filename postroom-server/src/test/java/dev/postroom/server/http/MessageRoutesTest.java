package dev.postroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postroom.server.http.TestServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;

import java.util.List;

import static dev.postroom.server.http.TestServer.assertProblem;
import static dev.postroom.server.http.TestServer.uniqueQueue;
import static org.assertj.core.api.Assertions.assertThat;

/** Sending, receiving, settling and operator actions on messages: success paths and their main errors. */
class MessageRoutesTest {
    /** Well-formed (UUIDv7) but never minted by the server. */
    static final String UNKNOWN_ID = "00000000-0001-7000-8000-000000000001";

    @RegisterExtension
    static final TestServer server = new TestServer();

    private static String queue(String prefix) {
        String queue = uniqueQueue(prefix);
        server.createQueue(queue);
        return queue;
    }

    private static Reply settle(String id, String action, String body) {
        return server.post("/api/v1/messages/" + id + "/" + action, server.admin, body);
    }

    // ---------------------------------------------------------------- send

    @Test
    void sendIs201WithIdStateAndDuplicateFalse() {
        String queue = queue("send");

        Reply reply = server.post("/api/v1/queues/" + queue + "/messages", server.admin,
                "{\"payload\":{\"to\":\"a@example.com\"},\"headers\":{\"kind\":\"welcome\"},\"priority\":7,"
                        + "\"orderingKey\":\"customer-1\",\"ttlSeconds\":3600}");

        assertThat(reply.status()).as("%s", reply).isEqualTo(201);
        JsonNode body = reply.json();
        assertThat(body.get("id").asText()).matches("[0-9a-f-]{36}");
        assertThat(body.get("state").asText()).isEqualTo("READY");
        assertThat(body.get("duplicate").asBoolean()).isFalse();
        JsonNode message = server.message(body.get("id").asText());
        assertThat(message.get("payload")).isEqualTo(TestServer.JSON.createObjectNode().put("to", "a@example.com"));
        assertThat(message.get("headers").get("kind").asText()).isEqualTo("welcome");
        assertThat(message.get("priority").asInt()).isEqualTo(7);
        assertThat(message.get("orderingKey").asText()).isEqualTo("customer-1");
        assertThat(message.get("expiresAt").isTextual()).isTrue();
    }

    @Test
    void sendWithADelayIsScheduled() {
        String queue = queue("delayed");

        Reply reply = server.post("/api/v1/queues/" + queue + "/messages", server.admin, "{\"payload\":1,\"delaySeconds\":3600}");

        assertThat(reply.status()).as("%s", reply).isEqualTo(201);
        assertThat(reply.json().get("state").asText()).isEqualTo("SCHEDULED");
        assertThat(server.counts(queue).get("scheduled").asInt()).isEqualTo(1);
    }

    @Test
    void sendWithANotBeforeInTheFutureIsScheduled() {
        String queue = queue("not-before");
        String later = Instant.now().plusSeconds(3600).toString();

        Reply reply = server.post("/api/v1/queues/" + queue + "/messages", server.admin,
                "{\"payload\":1,\"notBefore\":\"" + later + "\"}");

        assertThat(reply.status()).as("%s", reply).isEqualTo(201);
        assertThat(reply.json().get("state").asText()).isEqualTo("SCHEDULED");
    }

    @Test
    void notBeforeTakesAnyRfc3339Offset() {
        String queue = queue("not-before-offset");

        Reply reply = server.post("/api/v1/queues/" + queue + "/messages", server.admin,
                "{\"payload\":1,\"notBefore\":\"2031-01-01T02:00:00+02:00\"}");

        assertThat(reply.status()).as("%s", reply).isEqualTo(201);
        assertThat(server.message(reply.json().get("id").asText()).get("notBefore").asText()).isEqualTo("2031-01-01T00:00:00Z");
    }

    @Test
    void browsePagesThroughAQueueNewestFirstWithTheCursor() {
        String queue = queue("browse");
        List<String> sent = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sent.add(server.post("/api/v1/queues/" + queue + "/messages", server.admin, "{\"payload\":{\"n\":" + i + "}}")
                    .json().get("id").asText());
        }
        List<String> seen = new java.util.ArrayList<>();
        String after = null;
        do {
            Reply page = server.get("/api/v1/messages?queue=" + queue + "&limit=2" + (after == null ? "" : "&after=" + after), server.admin);
            assertThat(page.status()).as("%s", page).isEqualTo(200);
            page.json().get("messages").forEach(m -> seen.add(m.get("id").asText()));
            after = page.json().get("next").isNull() ? null : page.json().get("next").asText();
        } while (after != null);
        assertThat(seen).containsExactlyElementsOf(sent.reversed());
    }

    @Test
    void browseWithAnUnknownStateIs422NamingState() {
        assertProblem(server.get("/api/v1/messages?state=LOST", server.admin), 422, "state");
    }

    @Test
    void sendToUnknownQueueIs404NamingTheQueue() {
        JsonNode problem = assertProblem(server.post("/api/v1/queues/nowhere-at-all/messages", server.admin, "{\"payload\":1}"), 404);

        assertThat(problem.get("detail").asText()).contains("nowhere-at-all");
    }

    @Test
    void sendWithoutPayloadIs422NamingPayload() {
        String queue = queue("no-payload");

        assertProblem(server.post("/api/v1/queues/" + queue + "/messages", server.admin, "{\"headers\":{}}"), 422, "payload");
        assertThat(server.counts(queue).get("ready").asInt()).isZero();
    }

    @Test
    void sendWithAPriorityOutsideZeroToNineIs422NamingPriority() {
        String queue = queue("priority");

        assertProblem(server.post("/api/v1/queues/" + queue + "/messages", server.admin, "{\"payload\":1,\"priority\":10}"), 422, "priority");
        assertProblem(server.post("/api/v1/queues/" + queue + "/messages", server.admin, "{\"payload\":1,\"priority\":-1}"), 422, "priority");
    }

    @Test
    void sendWithANegativeDelayIs422NamingDelaySeconds() {
        String queue = queue("negative-delay");

        assertProblem(server.post("/api/v1/queues/" + queue + "/messages", server.admin, "{\"payload\":1,\"delaySeconds\":-1}"),
                422, "delaySeconds");
    }

    @Test
    void sendWithANotBeforeBeyondYear9999Is422NamingNotBefore() {
        String queue = queue("far-future");

        assertProblem(server.post("/api/v1/queues/" + queue + "/messages", server.admin,
                "{\"payload\":1,\"notBefore\":\"+999999999-12-31T23:59:59Z\"}"), 422, "notBefore");
        assertThat(server.counts(queue).get("scheduled").asInt()).isZero();
    }

    @Test
    void sendWithAnInvalidHeaderNameIs422NamingTheHeader() {
        String queue = queue("header-name");

        assertProblem(server.post("/api/v1/queues/" + queue + "/messages", server.admin,
                "{\"payload\":1,\"headers\":{\"bad name\":\"x\"}}"), 422, "headers.bad name");
    }

    @Test
    void sendWithANullHeaderValueIs422NamingTheHeader() {
        String queue = queue("header-null");

        assertProblem(server.post("/api/v1/queues/" + queue + "/messages", server.admin,
                "{\"payload\":1,\"headers\":{\"kind\":null}}"), 422, "headers.kind");
    }

    @Test
    void sendWithMoreThan64HeadersIs422NamingHeaders() {
        String queue = queue("headers");
        StringBuilder headers = new StringBuilder();
        for (int i = 0; i < 65; i++) {
            headers.append(i == 0 ? "" : ",").append("\"h").append(i).append("\":\"v\"");
        }

        assertProblem(server.post("/api/v1/queues/" + queue + "/messages", server.admin,
                "{\"payload\":1,\"headers\":{" + headers + "}}"), 422, "headers");
    }

    @Test
    void idempotencyKeyRepeatIs200WithTheFirstIdAndDuplicateTrue() {
        String queue = queue("idempotent");
        String body = "{\"payload\":{\"n\":1},\"idempotencyKey\":\"order-42\"}";
        Reply first = server.post("/api/v1/queues/" + queue + "/messages", server.admin, body);

        Reply repeat = server.post("/api/v1/queues/" + queue + "/messages", server.admin, body);

        assertThat(first.status()).as("%s", first).isEqualTo(201);
        assertThat(repeat.status()).as("%s", repeat).isEqualTo(200);
        assertThat(repeat.json().get("id").asText()).isEqualTo(first.json().get("id").asText());
        assertThat(repeat.json().get("duplicate").asBoolean()).isTrue();
        assertThat(server.counts(queue).get("ready").asInt()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- batch

    @Test
    void batchSendIs201WithAResultPerMessageInOrder() {
        String queue = queue("batch");

        Reply reply = server.post("/api/v1/queues/" + queue + "/messages:batch", server.admin,
                "{\"messages\":[{\"payload\":1},{\"payload\":2,\"delaySeconds\":600},{\"payload\":3}]}");

        assertThat(reply.status()).as("%s", reply).isEqualTo(201);
        JsonNode results = reply.json().get("results");
        assertThat(results).hasSize(3);
        assertThat(results.get(0).get("state").asText()).isEqualTo("READY");
        assertThat(results.get(1).get("state").asText()).isEqualTo("SCHEDULED");
        assertThat(results.get(2).get("duplicate").asBoolean()).isFalse();
        assertThat(server.message(results.get(2).get("id").asText()).get("payload").asInt()).isEqualTo(3);
    }

    @Test
    void batchWithOneInvalidEntryWritesNothingAndNamesTheEntry() {
        String queue = queue("batch-invalid");

        JsonNode problem = assertProblem(server.post("/api/v1/queues/" + queue + "/messages:batch", server.admin,
                "{\"messages\":[{\"payload\":1},{\"payload\":2},{\"payload\":3,\"priority\":10},{\"payload\":4}]}"), 422);

        assertThat(TestServer.fields(problem)).containsExactly("messages[2].priority");
        JsonNode counts = server.counts(queue);
        assertThat(counts.get("ready").asInt() + counts.get("scheduled").asInt()).isZero();
    }

    @Test
    void batchWithAnEntryMissingItsPayloadNamesTheEntry() {
        String queue = queue("batch-payload");

        assertProblem(server.post("/api/v1/queues/" + queue + "/messages:batch", server.admin,
                "{\"messages\":[{\"payload\":1},{\"headers\":{}}]}"), 422, "messages[1].payload");
        assertThat(server.counts(queue).get("ready").asInt()).isZero();
    }

    @Test
    void batchOfOneInvalidEntryStillNamesTheEntry() {
        String queue = queue("batch-one");

        JsonNode problem = assertProblem(server.post("/api/v1/queues/" + queue + "/messages:batch", server.admin,
                "{\"messages\":[{\"payload\":1,\"priority\":10}]}"), 422);

        assertThat(TestServer.fields(problem)).containsExactly("messages[0].priority");
    }

    @Test
    void batchWithoutMessagesIs422NamingMessages() {
        String queue = queue("batch-empty");

        assertProblem(server.post("/api/v1/queues/" + queue + "/messages:batch", server.admin, "{\"messages\":[]}"), 422, "messages");
        assertProblem(server.post("/api/v1/queues/" + queue + "/messages:batch", server.admin, "{}"), 422, "messages");
    }

    @Test
    void batchWithANullEntryIs422NamingTheEntry() {
        String queue = queue("batch-null");

        assertProblem(server.post("/api/v1/queues/" + queue + "/messages:batch", server.admin,
                "{\"messages\":[{\"payload\":1},null]}"), 422, "messages[1]");
        assertThat(server.counts(queue).get("ready").asInt()).isZero();
    }

    @Test
    void batchOverAThousandMessagesIs413NamingMessages() {
        String queue = queue("batch-big");
        String messages = String.join(",", java.util.Collections.nCopies(1001, "{\"payload\":1}"));

        assertProblem(server.post("/api/v1/queues/" + queue + "/messages:batch", server.admin,
                "{\"messages\":[" + messages + "]}"), 413, "messages");
        assertThat(server.counts(queue).get("ready").asInt()).isZero();
    }

    /** The 1,001st message ends the reading: what follows it (here, not even JSON) is never parsed. */
    @Test
    void batchOverAThousandMessagesIsRefusedAtTheFirstMessageOverTheLimit() {
        String queue = queue("batch-early");
        String messages = String.join(",", java.util.Collections.nCopies(1001, "{\"payload\":1}"));

        Reply reply = server.post("/api/v1/queues/" + queue + "/messages:batch", server.admin,
                "{\"messages\":[" + messages + ",{\"payload\": not json at all");

        assertProblem(reply, 413, "messages");
        assertThat(reply.body()).contains("more than 1000 messages");
        assertThat(server.counts(queue).get("ready").asInt()).isZero();
    }

    @Test
    void batchToUnknownQueueIs404() {
        assertProblem(server.post("/api/v1/queues/nowhere-at-all/messages:batch", server.admin, "{\"messages\":[{\"payload\":1}]}"), 404);
    }

    // ---------------------------------------------------------------- receive

    @Test
    void aBatchAckAnswersEachEntryInItsPlaceAndSettlesThoseThatMayBe() {
        String queue = queue("batch-ack");
        String first = server.send(queue, "{\"n\":1}");
        String second = server.send(queue, "{\"n\":2}");
        JsonNode leased = server.post("/api/v1/queues/" + queue + "/receive", server.admin, "{\"max\":2}").json().get("messages");
        java.util.Map<String, String> leases = new java.util.HashMap<>();
        leased.forEach(m -> leases.put(m.get("id").asText(), m.get("leaseId").asText()));

        Reply reply = server.post("/api/v1/messages:ack", server.admin, "{\"acks\":["
                + "{\"id\":\"" + first + "\",\"leaseId\":\"" + leases.get(first) + "\",\"result\":{\"ok\":true}},"
                + "{\"id\":\"" + second + "\",\"leaseId\":\"stale-lease\"},"
                + "{\"id\":\"" + UNKNOWN_ID + "\",\"leaseId\":\"x\"}]}");

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        JsonNode results = reply.json().get("results");
        assertThat(results).hasSize(3);
        assertThat(results.get(0).get("status").asInt()).isEqualTo(200);
        assertThat(results.get(0).get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(results.get(1).get("status").asInt()).isEqualTo(409);
        assertThat(results.get(2).get("status").asInt()).isEqualTo(404);
        assertThat(server.get("/api/v1/messages/" + first, server.admin).json().get("result").get("ok").asBoolean()).isTrue();
        assertThat(server.get("/api/v1/messages/" + second, server.admin).json().get("state").asText()).isEqualTo("IN_FLIGHT");
    }

    @Test
    void aBatchNackFailsEachAttemptButAnInvalidEntryRefusesTheWholeBatchNamingIt() {
        String queue = queue("batch-nack");
        String id = server.send(queue, "{}");
        String lease = server.receiveOne(queue).get("leaseId").asText();
        String valid = "{\"id\":\"" + id + "\",\"leaseId\":\"" + lease + "\",\"error\":{\"message\":\"bank offline\"},\"retryAfterSeconds\":60}";

        Reply refused = server.post("/api/v1/messages:nack", server.admin, "{\"nacks\":[" + valid + ","
                + "{\"id\":\"" + id + "\",\"leaseId\":\"" + lease + "\",\"error\":{\"message\":\"\"}}]}");
        assertProblem(refused, 422, "nacks[1].error.message");
        assertThat(server.get("/api/v1/messages/" + id, server.admin).json().get("state").asText())
                .as("nothing settled").isEqualTo("IN_FLIGHT");

        JsonNode results = server.post("/api/v1/messages:nack", server.admin, "{\"nacks\":[" + valid + "]}").json().get("results");
        assertThat(results.get(0).get("status").asInt()).isEqualTo(200);
        assertThat(results.get(0).get("state").asText()).isEqualTo("SCHEDULED");
    }

    @Test
    void aBatchAckOfATokenForSomeQueuesAnswersEachEntryAsTheSingleAckWould() {
        String mine = queue("scoped-mine");
        String theirs = queue("hidden-theirs");
        String token = server.token("receive:scoped-*", "read");
        String myId = server.send(mine, "{}");
        String theirId = server.send(theirs, "{}");
        String myLease = server.receiveOne(mine).get("leaseId").asText();
        String theirLease = server.receiveOne(theirs).get("leaseId").asText();

        JsonNode results = server.post("/api/v1/messages:ack", token, "{\"acks\":["
                + "{\"id\":\"" + myId + "\",\"leaseId\":\"" + myLease + "\"},"
                + "{\"id\":\"" + theirId + "\",\"leaseId\":\"" + theirLease + "\"},"
                + "{\"id\":\"" + UNKNOWN_ID + "\",\"leaseId\":\"x\"}]}").json().get("results");

        assertThat(results.get(0).get("status").asInt()).isEqualTo(200);
        assertThat(results.get(1).get("status").asInt()).as("seen (read) but not its to receive").isEqualTo(403);
        assertThat(results.get(2).get("status").asInt()).isEqualTo(404);
        assertThat(server.get("/api/v1/messages/" + theirId, server.admin).json().get("state").asText()).isEqualTo("IN_FLIGHT");
    }

    @Test
    void aBatchAckOfATokenForEveryQueueAnswersUnknownAndMalformedIdsAsTheScopedPathDoes() {
        String queue = queue("any-queue");
        String token = server.token("receive:*");
        String id = server.send(queue, "{}");
        String lease = server.receiveOne(queue).get("leaseId").asText();
        String unknownEntries = "{\"id\":\"" + UNKNOWN_ID + "\",\"leaseId\":\"x\"},{\"id\":\"not-an-id\",\"leaseId\":\"x\"}";

        JsonNode everyQueue = server.post("/api/v1/messages:ack", token, "{\"acks\":["
                + "{\"id\":\"" + id + "\",\"leaseId\":\"" + lease + "\"}," + unknownEntries + "]}").json().get("results");
        JsonNode scoped = server.post("/api/v1/messages:ack", server.token("receive:any-*"), "{\"acks\":[" + unknownEntries + "]}")
                .json().get("results");

        assertThat(everyQueue.get(0).get("status").asInt()).isEqualTo(200);
        assertThat(everyQueue.get(0).get("state").asText()).isEqualTo("SUCCEEDED");
        for (int i = 0; i < 2; i++) {
            assertThat(everyQueue.get(i + 1).get("status").asInt()).isEqualTo(404);
            assertThat(everyQueue.get(i + 1)).as("entry %d as a scoped token gets it", i).isEqualTo(scoped.get(i));
        }
    }

    @Test
    void aBatchSettleThatIsEmptyOrOverAThousandEntriesIsRefusedWhole() {
        String entries = String.join(",", java.util.Collections.nCopies(1001, "{\"id\":\"" + UNKNOWN_ID + "\",\"leaseId\":\"x\"}"));

        assertProblem(server.post("/api/v1/messages:ack", server.admin, "{\"acks\":[]}"), 422, "acks");
        assertProblem(server.post("/api/v1/messages:ack", server.admin, "{\"acks\":[" + entries + "]}"), 413, "acks");
        assertProblem(server.post("/api/v1/messages:nack", server.admin, "{\"nacks\":[null]}"), 422, "nacks[0]");
    }

    @Test
    void receiveLeasesAMessageWithEveryField() {
        String queue = queue("receive");
        String id = server.send(queue, "{\"n\":1}");

        Reply reply = server.post("/api/v1/queues/" + queue + "/receive", server.admin, "{\"max\":10,\"leaseSeconds\":60}");

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        JsonNode messages = reply.json().get("messages");
        assertThat(messages).hasSize(1);
        JsonNode message = messages.get(0);
        assertThat(message.get("id").asText()).isEqualTo(id);
        assertThat(message.get("queue").asText()).isEqualTo(queue);
        assertThat(message.get("payload").get("n").asInt()).isEqualTo(1);
        assertThat(message.get("headers").isObject()).isTrue();
        assertThat(message.get("attempt").asInt()).isEqualTo(1);
        assertThat(message.get("leaseId").asText()).isNotEmpty();
        assertThat(Instant.parse(message.get("leaseExpiresAt").asText())).isAfter(Instant.now().plusSeconds(30));
        assertThat(Instant.parse(message.get("enqueuedAt").asText())).isBeforeOrEqualTo(Instant.now());
        assertThat(server.counts(queue).get("inFlight").asInt()).isEqualTo(1);
    }

    @Test
    void receiveHandsOutAtMostMax() {
        String queue = queue("receive-max");
        for (int i = 0; i < 5; i++) {
            server.send(queue, Integer.toString(i));
        }

        Reply reply = server.post("/api/v1/queues/" + queue + "/receive", server.admin, "{\"max\":3}");

        assertThat(reply.json().get("messages")).hasSize(3);
        assertThat(server.counts(queue).get("ready").asInt()).isEqualTo(2);
    }

    @Test
    void receiveFromAnEmptyQueueAnswersAnEmptyList() {
        String queue = queue("receive-empty");

        Reply reply = server.post("/api/v1/queues/" + queue + "/receive", server.admin, "{\"waitSeconds\":0}");

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.json().get("messages")).isEmpty();
    }

    @Test
    void receiveWithOutOfRangeOptionsIs422NamingTheOption() {
        String queue = queue("receive-range");

        assertProblem(server.post("/api/v1/queues/" + queue + "/receive", server.admin, "{\"max\":0}"), 422, "max");
        assertProblem(server.post("/api/v1/queues/" + queue + "/receive", server.admin, "{\"max\":101}"), 422, "max");
        assertProblem(server.post("/api/v1/queues/" + queue + "/receive", server.admin, "{\"waitSeconds\":21}"), 422, "waitSeconds");
        assertProblem(server.post("/api/v1/queues/" + queue + "/receive", server.admin, "{\"leaseSeconds\":0}"), 422, "leaseSeconds");
    }

    @Test
    void receiveFromAnUnknownQueueIs404() {
        assertProblem(server.post("/api/v1/queues/nowhere-at-all/receive", server.admin, "{}"), 404);
    }

    // ---------------------------------------------------------------- settle

    @Test
    void ackCompletesTheMessageAndStoresTheResult() {
        String queue = queue("ack");
        String id = server.send(queue, "{}");
        String lease = server.receiveOne(queue).get("leaseId").asText();

        Reply reply = settle(id, "ack", "{\"leaseId\":\"" + lease + "\",\"result\":{\"sent\":true}}");

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        JsonNode message = reply.json();
        assertThat(message.get("id").asText()).isEqualTo(id);
        assertThat(message.get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(message.get("result").get("sent").asBoolean()).isTrue();
        assertThat(message.get("timeline")).isNotEmpty();
        assertThat(server.counts(queue).get("succeeded").asInt()).isEqualTo(1);
    }

    @Test
    void ackWithAStaleLeaseIs409NamingLeaseId() {
        String queue = queue("ack-stale");
        String id = server.send(queue, "{}");
        String lease = server.receiveOne(queue).get("leaseId").asText();
        assertThat(settle(id, "ack", "{\"leaseId\":\"" + lease + "\"}").status()).isEqualTo(200);

        assertProblem(settle(id, "ack", "{\"leaseId\":\"" + lease + "\"}"), 409, "leaseId");
    }

    @Test
    void ackWithAForeignLeaseIs409AndLeavesTheMessageInFlight() {
        String queue = queue("ack-foreign");
        String id = server.send(queue, "{}");
        server.receiveOne(queue);

        assertProblem(settle(id, "ack", "{\"leaseId\":\"not-my-lease\"}"), 409, "leaseId");
        assertThat(server.message(id).get("state").asText()).isEqualTo("IN_FLIGHT");
    }

    @Test
    void ackWithoutLeaseIdIs422NamingLeaseId() {
        String queue = queue("ack-no-lease");
        String id = server.send(queue, "{}");
        server.receiveOne(queue);

        assertProblem(settle(id, "ack", "{}"), 422, "leaseId");
    }

    @Test
    void ackOfAnUnknownMessageIs404() {
        assertProblem(settle(UNKNOWN_ID, "ack", "{\"leaseId\":\"x\"}"), 404);
        assertProblem(settle("not-an-id", "ack", "{\"leaseId\":\"x\"}"), 404);
    }

    @Test
    void nackRecordsTheErrorAndSchedulesARetry() {
        String queue = queue("nack");
        String id = server.send(queue, "{}");
        String lease = server.receiveOne(queue).get("leaseId").asText();

        Reply reply = settle(id, "nack", "{\"leaseId\":\"" + lease + "\",\"error\":{\"message\":\"smtp down\",\"detail\":\"421\"},"
                + "\"retryAfterSeconds\":600}");

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        JsonNode message = reply.json();
        assertThat(message.get("state").asText()).isEqualTo("SCHEDULED");
        assertThat(message.get("errors")).hasSize(1);
        assertThat(message.get("errors").get(0).get("message").asText()).isEqualTo("smtp down");
        assertThat(message.get("errors").get(0).get("detail").asText()).isEqualTo("421");
    }

    @Test
    void anAckWithAResultOverThePayloadLimitIs413NamingResult() {
        String queue = queue("ack-huge");
        String id = server.send(queue, "{}");
        String lease = server.receiveOne(queue).get("leaseId").asText();

        assertProblem(settle(id, "ack", "{\"leaseId\":\"" + lease + "\",\"result\":\"" + "x".repeat(300_000) + "\"}"), 413, "result");
        assertThat(server.message(id).get("state").asText()).isEqualTo("IN_FLIGHT");
    }

    @Test
    void nackWithDeadLetterGivesUpWithAttemptsLeft() {
        String queue = queue("nack-dead-letter");
        String id = server.send(queue, "{}");
        String lease = server.receiveOne(queue).get("leaseId").asText();

        assertProblem(settle(id, "nack", "{\"leaseId\":\"" + lease + "\",\"error\":{\"message\":\"no such order\"},"
                + "\"deadLetter\":true,\"retryAfterSeconds\":5}"), 422, "retryAfterSeconds");
        Reply reply = settle(id, "nack", "{\"leaseId\":\"" + lease + "\",\"error\":{\"message\":\"no such order\"},\"deadLetter\":true}");

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.json().get("state").asText()).isEqualTo("DEAD");
        assertThat(reply.json().get("attempt").asInt()).isEqualTo(1);
        assertThat(reply.json().get("maxAttempts").asInt()).isGreaterThan(1);
    }

    @Test
    void nackWithoutAnErrorMessageIs422NamingErrorMessage() {
        String queue = queue("nack-no-error");
        String id = server.send(queue, "{}");
        String lease = server.receiveOne(queue).get("leaseId").asText();

        assertProblem(settle(id, "nack", "{\"leaseId\":\"" + lease + "\"}"), 422, "error.message");
        assertProblem(settle(id, "nack", "{\"leaseId\":\"" + lease + "\",\"error\":{}}"), 422, "error.message");
        assertThat(server.message(id).get("state").asText()).isEqualTo("IN_FLIGHT");
    }

    @Test
    void nackWithAStaleLeaseIs409() {
        String queue = queue("nack-stale");
        String id = server.send(queue, "{}");
        server.receiveOne(queue);

        assertProblem(settle(id, "nack", "{\"leaseId\":\"other\",\"error\":{\"message\":\"x\"}}"), 409, "leaseId");
    }

    @Test
    void extendAnswersTheNewLeaseExpiry() {
        String queue = queue("extend");
        String id = server.send(queue, "{}");
        JsonNode leased = server.receiveOne(queue);

        Reply reply = settle(id, "extend", "{\"leaseId\":\"" + leased.get("leaseId").asText() + "\",\"leaseSeconds\":3600}");

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        Instant expiry = Instant.parse(reply.json().get("leaseExpiresAt").asText());
        assertThat(expiry).isAfter(Instant.parse(leased.get("leaseExpiresAt").asText()));
    }

    @Test
    void extendWithoutLeaseSecondsIs422NamingLeaseSeconds() {
        String queue = queue("extend-missing");
        String id = server.send(queue, "{}");
        String lease = server.receiveOne(queue).get("leaseId").asText();

        assertProblem(settle(id, "extend", "{\"leaseId\":\"" + lease + "\"}"), 422, "leaseSeconds");
        assertProblem(settle(id, "extend", "{\"leaseId\":\"" + lease + "\",\"leaseSeconds\":86400}"), 422, "leaseSeconds");
    }

    @Test
    void extendWithAStaleLeaseIs409() {
        String queue = queue("extend-stale");
        String id = server.send(queue, "{}");
        server.receiveOne(queue);

        assertProblem(settle(id, "extend", "{\"leaseId\":\"other\",\"leaseSeconds\":60}"), 409, "leaseId");
    }

    @Test
    void progressIsRecordedOnTheMessage() {
        String queue = queue("progress");
        String id = server.send(queue, "{}");
        String lease = server.receiveOne(queue).get("leaseId").asText();

        Reply reply = settle(id, "progress", "{\"leaseId\":\"" + lease + "\",\"percent\":40,\"note\":\"page 4 of 10\"}");

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.json().get("percent").asInt()).isEqualTo(40);
        assertThat(reply.json().get("note").asText()).isEqualTo("page 4 of 10");
        JsonNode progress = server.message(id).get("progress");
        assertThat(progress.get("percent").asInt()).isEqualTo(40);
        assertThat(progress.get("note").asText()).isEqualTo("page 4 of 10");
    }

    @Test
    void progressOver100PercentIs422NamingPercent() {
        String queue = queue("progress-range");
        String id = server.send(queue, "{}");
        String lease = server.receiveOne(queue).get("leaseId").asText();

        assertProblem(settle(id, "progress", "{\"leaseId\":\"" + lease + "\",\"percent\":101}"), 422, "percent");
    }

    @Test
    void progressWithAStaleLeaseIs409() {
        String queue = queue("progress-stale");
        String id = server.send(queue, "{}");
        server.receiveOne(queue);

        assertProblem(settle(id, "progress", "{\"leaseId\":\"other\",\"percent\":1}"), 409, "leaseId");
    }

    // ---------------------------------------------------------------- get, retry, cancel, delete

    @Test
    void getShowsTheMessageWithItsTimeline() {
        String queue = queue("get");
        String id = server.send(queue, "[1,2,3]");

        Reply reply = server.get("/api/v1/messages/" + id, server.admin);

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        JsonNode message = reply.json();
        assertThat(message.get("id").asText()).isEqualTo(id);
        assertThat(message.get("queue").asText()).isEqualTo(queue);
        assertThat(message.get("state").asText()).isEqualTo("READY");
        assertThat(message.get("payload").toString()).isEqualTo("[1,2,3]");
        assertThat(message.get("attempt").asInt()).isZero();
        assertThat(message.get("maxAttempts").asInt()).isEqualTo(5);
        assertThat(message.has("result")).isTrue();
        assertThat(message.has("progress")).isTrue();
        assertThat(message.get("errors")).isEmpty();
        JsonNode first = message.get("timeline").get(0);
        assertThat(first.get("state").asText()).isEqualTo("READY");
        assertThat(first.has("at")).isTrue();
        assertThat(first.has("node")).isTrue();
        assertThat(first.has("attempt")).isTrue();
        assertThat(first.has("reason")).isTrue();
    }

    @Test
    void getOfAnUnknownMessageIs404() {
        assertProblem(server.get("/api/v1/messages/" + UNKNOWN_ID, server.admin), 404);
        assertProblem(server.get("/api/v1/messages/not-an-id", server.admin), 404);
    }

    @Test
    void getWithAWaitThatIsNotANumberIs400NamingWaitSeconds() {
        String id = server.send(queue("get-wait"), "{}");

        assertProblem(server.get("/api/v1/messages/" + id + "?waitSeconds=soon", server.admin), 400, "waitSeconds");
    }

    @Test
    void getWithAWaitOver30SecondsIs422NamingWaitSeconds() {
        String id = server.send(queue("get-wait-range"), "{}");

        assertProblem(server.get("/api/v1/messages/" + id + "?waitSeconds=31", server.admin), 422, "waitSeconds");
        assertProblem(server.get("/api/v1/messages/" + id + "?waitSeconds=-1", server.admin), 422, "waitSeconds");
    }

    @Test
    void retryOfACancelledMessageMakesItReadyAgain() {
        String queue = queue("retry");
        String id = server.send(queue, "{}");
        assertThat(settle(id, "cancel", null).status()).isEqualTo(200);

        Reply reply = settle(id, "retry", null);

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.json().get("state").asText()).isEqualTo("READY");
        assertThat(server.counts(queue).get("ready").asInt()).isEqualTo(1);
    }

    @Test
    void retryOfAReadyMessageIs409() {
        String id = server.send(queue("retry-ready"), "{}");

        assertProblem(settle(id, "retry", null), 409);
    }

    @Test
    void cancelOfAReadyMessageMakesItCancelled() {
        String queue = queue("cancel");
        String id = server.send(queue, "{}");

        Reply reply = settle(id, "cancel", null);

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.json().get("state").asText()).isEqualTo("CANCELLED");
        assertThat(server.counts(queue).get("cancelled").asInt()).isEqualTo(1);
    }

    @Test
    void cancelOfAFinishedMessageIs409() {
        String id = server.send(queue("cancel-twice"), "{}");
        settle(id, "cancel", null);

        assertProblem(settle(id, "cancel", null), 409);
    }

    @Test
    void retryAndCancelOfAnUnknownMessageAre404() {
        assertProblem(settle(UNKNOWN_ID, "retry", null), 404);
        assertProblem(settle(UNKNOWN_ID, "cancel", null), 404);
    }

    @Test
    void deleteIs204AndTheMessageIsGone() {
        String queue = queue("delete");
        String id = server.send(queue, "{}");

        Reply reply = server.delete("/api/v1/messages/" + id, server.admin);

        assertThat(reply.status()).as("%s", reply).isEqualTo(204);
        assertProblem(server.get("/api/v1/messages/" + id, server.admin), 404);
        assertThat(server.counts(queue).get("ready").asInt()).isZero();
    }

    @Test
    void deleteOfAnUnknownMessageIs404() {
        assertProblem(server.delete("/api/v1/messages/" + UNKNOWN_ID, server.admin), 404);
    }
}
