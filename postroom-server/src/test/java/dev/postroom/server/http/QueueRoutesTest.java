package dev.postroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postroom.server.http.TestServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.postroom.server.http.TestServer.assertProblem;
import static dev.postroom.server.http.TestServer.uniqueQueue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code /api/v1/queues}: policies, listing with counts, pause and resume, purge, redrive, delete. */
class QueueRoutesTest {
    @RegisterExtension
    static final TestServer server = new TestServer();

    @Test
    void putCreatesQueueWith201AndTheDefaultPolicy() {
        String queue = uniqueQueue("created");

        Reply reply = server.put("/api/v1/queues/" + queue, server.admin, "{}");

        assertThat(reply.status()).as("%s", reply).isEqualTo(201);
        assertThat(reply.contentType()).startsWith("application/json");
        JsonNode body = reply.json();
        assertThat(body.get("name").asText()).isEqualTo(queue);
        assertThat(body.get("paused").asBoolean()).isFalse();
        JsonNode policy = body.get("policy");
        assertThat(policy.get("maxAttempts").asInt()).isEqualTo(5);
        assertThat(policy.get("leaseSeconds").asDouble()).isEqualTo(30.0);
        assertThat(policy.get("concurrency").asInt()).isEqualTo(64);
        assertThat(policy.get("retentionHours").asDouble()).isEqualTo(24.0);
        assertThat(policy.get("backoff").get("initialSeconds").asDouble()).isEqualTo(1.0);
        assertThat(policy.get("backoff").get("maxSeconds").asDouble()).isEqualTo(600.0);
        assertThat(policy.get("backoff").get("multiplier").asDouble()).isEqualTo(2.0);
        assertThat(body.get("counts")).isEqualTo(TestServer.JSON.createObjectNode()
                .put("scheduled", 0).put("ready", 0).put("inFlight", 0).put("succeeded", 0).put("dead", 0).put("cancelled", 0));
        assertThat(body.get("oldestReadyAgeSeconds").isNumber()).as("%s", body).isTrue();
        assertThat(body.get("oldestReadyAgeSeconds").asDouble()).isZero();
    }

    @Test
    void putWithoutBodyCreatesQueueWithTheDefaultPolicy() {
        String queue = uniqueQueue("no-body");

        Reply reply = server.call("PUT", "/api/v1/queues/" + queue, server.admin, (byte[]) null);

        assertThat(reply.status()).as("%s", reply).isEqualTo(201);
        assertThat(reply.json().get("policy").get("maxAttempts").asInt()).isEqualTo(5);
    }

    @Test
    void putOnAnExistingQueueIs200AndChangesOnlyTheNamedProperties() {
        String queue = uniqueQueue("updated");
        server.createQueue(queue, "{\"maxAttempts\":3,\"leaseSeconds\":10}");

        Reply reply = server.put("/api/v1/queues/" + queue, server.admin,
                "{\"concurrency\":2,\"backoff\":{\"maxSeconds\":60},\"retentionHours\":1.5,\"deadRetentionHours\":48}");

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        JsonNode policy = reply.json().get("policy");
        assertThat(policy.get("maxAttempts").asInt()).isEqualTo(3);
        assertThat(policy.get("leaseSeconds").asDouble()).isEqualTo(10.0);
        assertThat(policy.get("concurrency").asInt()).isEqualTo(2);
        assertThat(policy.get("backoff").get("initialSeconds").asDouble()).isEqualTo(1.0);
        assertThat(policy.get("backoff").get("maxSeconds").asDouble()).isEqualTo(60.0);
        assertThat(policy.get("retentionHours").asDouble()).isEqualTo(1.5);
        assertThat(policy.get("deadRetentionHours").asDouble()).isEqualTo(48.0);
    }

    @Test
    void putWithAnOutOfRangePolicyIs422NamingTheProperty() {
        String queue = uniqueQueue("bad-policy");

        assertProblem(server.put("/api/v1/queues/" + queue, server.admin, "{\"maxAttempts\":0}"), 422, "maxAttempts");
        assertProblem(server.put("/api/v1/queues/" + queue, server.admin, "{\"leaseSeconds\":0.5}"), 422, "leaseSeconds");
        assertProblem(server.put("/api/v1/queues/" + queue, server.admin, "{\"backoff\":{\"multiplier\":0.5}}"), 422,
                "backoff.multiplier");
        assertProblem(server.put("/api/v1/queues/" + queue, server.admin, "{\"concurrency\":0}"), 422, "concurrency");

        assertProblem(server.get("/api/v1/queues/" + queue, server.admin), 404);
    }

    @Test
    void aRateLimitSetOverHttpHoldsBackWhatIsOverIt() {
        String queue = uniqueQueue("rate");

        Reply put = server.put("/api/v1/queues/" + queue, server.admin, "{\"rateLimit\":{\"count\":2,\"perSeconds\":3600}}");

        assertThat(put.status()).as("%s", put).isEqualTo(201);
        assertThat(put.json().get("policy").get("rateLimit")).isEqualTo(TestServer.JSON.createObjectNode()
                .put("count", 2).put("perSeconds", 3600.0));
        assertThat(put.json().get("policy").get("perKey").isNull()).isTrue();
        for (int i = 0; i < 3; i++) {
            server.send(queue, "{\"n\":" + i + "}");
        }
        Reply received = server.post("/api/v1/queues/" + queue + "/receive", server.admin, "{\"max\":10}");
        assertThat(received.json().get("messages")).as("%s", received).hasSize(2);
        JsonNode counts = server.get("/api/v1/queues/" + queue, server.admin).json().get("counts");
        assertThat(counts.get("ready").asInt()).as("held back by the rate limit, still READY").isEqualTo(1);
        assertThat(counts.get("inFlight").asInt()).isEqualTo(2);
    }

    @Test
    void limitsAreKeptWhenLeftOutAndRemovedWithNull() {
        String queue = uniqueQueue("limits");
        server.createQueue(queue, "{\"rateLimit\":{\"count\":10,\"perSeconds\":1},"
                + "\"perKey\":{\"header\":\"tenant\",\"maxInFlight\":2,\"rateLimit\":{\"count\":5,\"perSeconds\":0.5}}}");

        JsonNode kept = server.put("/api/v1/queues/" + queue, server.admin, "{\"maxAttempts\":3}").json().get("policy");
        assertThat(kept.get("rateLimit").get("count").asInt()).isEqualTo(10);
        assertThat(kept.get("perKey")).isEqualTo(TestServer.JSON.createObjectNode().put("key", "header").put("header", "tenant")
                .put("maxInFlight", 2).set("rateLimit", TestServer.JSON.createObjectNode().put("count", 5).put("perSeconds", 0.5)));

        JsonNode byOrderingKey = server.put("/api/v1/queues/" + queue, server.admin, "{\"perKey\":{\"maxInFlight\":1}}")
                .json().get("policy").get("perKey");
        assertThat(byOrderingKey.get("key").asText()).isEqualTo("orderingKey");
        assertThat(byOrderingKey.get("header").isNull()).isTrue();
        assertThat(byOrderingKey.get("rateLimit").isNull()).as("an object replaces the per-key limits").isTrue();

        JsonNode removed = server.put("/api/v1/queues/" + queue, server.admin, "{\"rateLimit\":null,\"perKey\":null}")
                .json().get("policy");
        assertThat(removed.get("rateLimit").isNull()).isTrue();
        assertThat(removed.get("perKey").isNull()).isTrue();
        assertThat(removed.get("maxAttempts").asInt()).isEqualTo(3);
    }

    @Test
    void maxRunSecondsIsSetKeptWhenLeftOutRemovedWithNullAndBounded() {
        String queue = uniqueQueue("max-run");
        JsonNode created = server.put("/api/v1/queues/" + queue, server.admin, "{}").json().get("policy");
        assertThat(created.get("maxRunSeconds").isNull()).as("no limit by default").isTrue();

        JsonNode set = server.put("/api/v1/queues/" + queue, server.admin, "{\"maxRunSeconds\":90.5}").json().get("policy");
        JsonNode kept = server.put("/api/v1/queues/" + queue, server.admin, "{\"maxAttempts\":2}").json().get("policy");
        assertProblem(server.put("/api/v1/queues/" + queue, server.admin, "{\"maxRunSeconds\":0.5}"), 422, "maxRunSeconds");
        JsonNode removed = server.put("/api/v1/queues/" + queue, server.admin, "{\"maxRunSeconds\":null}").json().get("policy");

        assertThat(set.get("maxRunSeconds").asDouble()).isEqualTo(90.5);
        assertThat(kept.get("maxRunSeconds").asDouble()).isEqualTo(90.5);
        assertThat(removed.get("maxRunSeconds").isNull()).isTrue();
        assertThat(server.postroom().queue(queue).policy().maxRun()).isNull();
    }

    @Test
    void anInvalidLimitIs422NamingTheFieldAndChangesNothing() {
        String queue = uniqueQueue("bad-limits");
        server.createQueue(queue, "{\"rateLimit\":{\"count\":10,\"perSeconds\":1}}");
        String path = "/api/v1/queues/" + queue;

        assertProblem(server.put(path, server.admin, "{\"rateLimit\":{\"count\":0,\"perSeconds\":1}}"), 422, "rateLimit.count");
        assertProblem(server.put(path, server.admin, "{\"rateLimit\":{\"count\":5}}"), 422, "rateLimit.perSeconds");
        assertProblem(server.put(path, server.admin, "{\"rateLimit\":{\"count\":5,\"perSeconds\":0}}"), 422, "rateLimit.perSeconds");
        assertProblem(server.put(path, server.admin, "{\"perKey\":{\"header\":\"tenant\"}}"), 422, "perKey");
        assertProblem(server.put(path, server.admin, "{\"perKey\":{\"header\":\"no spaces\",\"maxInFlight\":1}}"), 422, "perKey.header");
        assertProblem(server.put(path, server.admin, "{\"perKey\":{\"maxInFlight\":0}}"), 422, "perKey.maxInFlight");
        assertProblem(server.put(path, server.admin, "{\"perKey\":{\"rateLimit\":{\"perSeconds\":1}}}"), 422, "perKey.rateLimit.count");
        assertProblem(server.put(path, server.admin, "{\"rateLimit\":{\"count\":5,\"perSeconds\":1,\"burst\":2}}"), 400);

        JsonNode policy = server.get(path, server.admin).json().get("policy");
        assertThat(policy.get("rateLimit").get("count").asInt()).isEqualTo(10);
        assertThat(policy.get("perKey").isNull()).isTrue();
    }

    @Test
    void putWithAnInvalidQueueNameIs422NamingTheQueue() {
        assertProblem(server.put("/api/v1/queues/" + "x".repeat(129), server.admin, "{}"), 422, "queue");
        assertProblem(server.put("/api/v1/queues/has%20space", server.admin, "{}"), 422, "queue");
    }

    @Test
    void listShowsEveryQueueWithItsCounts() {
        String queue = uniqueQueue("listed");
        server.createQueue(queue);
        server.send(queue, "1");
        server.send(queue, "2");

        Reply reply = server.get("/api/v1/queues", server.admin);

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        JsonNode listed = null;
        for (JsonNode q : reply.json().get("queues")) {
            if (q.get("name").asText().equals(queue)) {
                listed = q;
            }
        }
        assertThat(listed).as("%s in %s", queue, reply).isNotNull();
        assertThat(listed.get("counts").get("ready").asInt()).isEqualTo(2);
        assertThat(listed.has("policy")).isTrue();
        assertThat(listed.has("paused")).isTrue();
    }

    @Test
    void getShowsOneQueue() {
        String queue = uniqueQueue("one");
        server.createQueue(queue);
        server.send(queue, "{}");

        Reply reply = server.get("/api/v1/queues/" + queue, server.admin);

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.json().get("name").asText()).isEqualTo(queue);
        assertThat(reply.json().get("counts").get("ready").asInt()).isEqualTo(1);
    }

    @Test
    void oldestReadyAgeGrowsWhileAMessageWaitsAndIsZeroOnceItIsLeased() {
        String queue = uniqueQueue("waiting");
        server.createQueue(queue);
        server.send(queue, "{}");

        await().untilAsserted(() -> assertThat(server.get("/api/v1/queues/" + queue, server.admin).json()
                .get("oldestReadyAgeSeconds").asDouble()).isPositive());
        JsonNode listed = null;
        for (JsonNode q : server.get("/api/v1/queues", server.admin).json().get("queues")) {
            if (q.get("name").asText().equals(queue)) {
                listed = q;
            }
        }
        assertThat(listed).isNotNull();
        assertThat(listed.get("oldestReadyAgeSeconds").asDouble()).isPositive();

        server.receiveOne(queue);
        assertThat(server.get("/api/v1/queues/" + queue, server.admin).json().get("oldestReadyAgeSeconds").asDouble())
                .as("a leased message is not waiting").isZero();
    }

    @Test
    void getOfAnUnknownQueueIs404NamingTheQueue() {
        JsonNode problem = assertProblem(server.get("/api/v1/queues/no-such-queue", server.admin), 404);

        assertThat(problem.get("detail").asText()).contains("no-such-queue");
    }

    @Test
    void deleteOfAnEmptyQueueIs204AndTheQueueIsGone() {
        String queue = uniqueQueue("deleted");
        server.createQueue(queue);

        Reply reply = server.delete("/api/v1/queues/" + queue, server.admin);

        assertThat(reply.status()).as("%s", reply).isEqualTo(204);
        assertThat(reply.body()).isEmpty();
        assertProblem(server.get("/api/v1/queues/" + queue, server.admin), 404);
    }

    @Test
    void deleteOfAQueueHoldingMessagesIs409UnlessForced() {
        String queue = uniqueQueue("full");
        server.createQueue(queue);
        server.send(queue, "{}");

        assertProblem(server.delete("/api/v1/queues/" + queue, server.admin), 409);
        assertThat(server.counts(queue).get("ready").asInt()).isEqualTo(1);

        assertThat(server.delete("/api/v1/queues/" + queue + "?force=true", server.admin).status()).isEqualTo(204);
        assertProblem(server.get("/api/v1/queues/" + queue, server.admin), 404);
    }

    @Test
    void deleteWithAForceThatIsNotABooleanIs400NamingForce() {
        String queue = uniqueQueue("force");
        server.createQueue(queue);

        assertProblem(server.delete("/api/v1/queues/" + queue + "?force=yes", server.admin), 400, "force");
    }

    @Test
    void deleteOfAnUnknownQueueIs404() {
        assertProblem(server.delete("/api/v1/queues/never-made", server.admin), 404);
    }

    @Test
    void pauseAndResumeFlipPausedAndAnswerTheQueue() {
        String queue = uniqueQueue("paused");
        server.createQueue(queue);

        Reply paused = server.post("/api/v1/queues/" + queue + "/pause", server.admin, null);
        assertThat(paused.status()).as("%s", paused).isEqualTo(200);
        assertThat(paused.json().get("paused").asBoolean()).isTrue();
        assertThat(paused.json().get("name").asText()).isEqualTo(queue);

        Reply resumed = server.post("/api/v1/queues/" + queue + "/resume", server.admin, null);
        assertThat(resumed.status()).as("%s", resumed).isEqualTo(200);
        assertThat(resumed.json().get("paused").asBoolean()).isFalse();
    }

    @Test
    void aPausedQueueStillTakesSendsButHandsNothingOut() {
        String queue = uniqueQueue("paused-receive");
        server.createQueue(queue);
        server.post("/api/v1/queues/" + queue + "/pause", server.admin, null);
        server.send(queue, "{}");

        Reply reply = server.post("/api/v1/queues/" + queue + "/receive", server.admin, "{}");

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.json().get("messages")).isEmpty();
    }

    @Test
    void pauseOfAnUnknownQueueIs404() {
        assertProblem(server.post("/api/v1/queues/never-made/pause", server.admin, null), 404);
        assertProblem(server.post("/api/v1/queues/never-made/resume", server.admin, null), 404);
    }

    @Test
    void purgeDeletesTheMessagesInTheNamedStatesOnly() {
        String queue = uniqueQueue("purged");
        server.createQueue(queue);
        String cancelled = server.send(queue, "1");
        server.send(queue, "2");
        assertThat(server.post("/api/v1/messages/" + cancelled + "/cancel", server.admin, null).status()).isEqualTo(200);

        Reply reply = server.post("/api/v1/queues/" + queue + "/purge", server.admin, "{\"states\":[\"CANCELLED\",\"DEAD\"]}");

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.json().get("purged").asInt()).isEqualTo(1);
        JsonNode counts = server.counts(queue);
        assertThat(counts.get("cancelled").asInt()).isZero();
        assertThat(counts.get("ready").asInt()).isEqualTo(1);
        assertProblem(server.get("/api/v1/messages/" + cancelled, server.admin), 404);
    }

    @Test
    void purgeWithoutStatesIs422NamingStates() {
        String queue = uniqueQueue("purge-empty");
        server.createQueue(queue);

        assertProblem(server.post("/api/v1/queues/" + queue + "/purge", server.admin, "{}"), 422, "states");
        assertProblem(server.post("/api/v1/queues/" + queue + "/purge", server.admin, "{\"states\":[]}"), 422, "states");
    }

    @Test
    void purgeOfAnUnknownStateIs422NamingStates() {
        String queue = uniqueQueue("purge-unknown");
        server.createQueue(queue);

        assertProblem(server.post("/api/v1/queues/" + queue + "/purge", server.admin, "{\"states\":[\"GONE\"]}"), 422, "states");
    }

    @Test
    void purgeOfInFlightMessagesIs422AndPurgesNothing() {
        String queue = uniqueQueue("purge-inflight");
        server.createQueue(queue);
        server.send(queue, "{}");
        server.receiveOne(queue);

        assertProblem(server.post("/api/v1/queues/" + queue + "/purge", server.admin, "{\"states\":[\"IN_FLIGHT\"]}"),
                422, "states");
        assertThat(server.counts(queue).get("inFlight").asInt()).isEqualTo(1);
    }

    @Test
    void purgeOfAnUnknownQueueIs404() {
        assertProblem(server.post("/api/v1/queues/never-made/purge", server.admin, "{\"states\":[\"DEAD\"]}"), 404);
    }

    @Test
    void redriveMovesDeadMessagesBackToReady() {
        String queue = uniqueQueue("redriven");
        server.createQueue(queue, "{\"maxAttempts\":1}");
        String id = server.send(queue, "{}");
        JsonNode leased = server.receiveOne(queue);
        Reply nacked = server.post("/api/v1/messages/" + id + "/nack", server.admin,
                "{\"leaseId\":\"" + leased.get("leaseId").asText() + "\",\"error\":{\"message\":\"boom\"}}");
        assertThat(nacked.json().get("state").asText()).as("%s", nacked).isEqualTo("DEAD");

        Reply reply = server.post("/api/v1/queues/" + queue + "/redrive", server.admin, "{}");

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.json().get("redriven").asInt()).isEqualTo(1);
        assertThat(server.counts(queue).get("dead").asInt()).isZero();
        assertThat(server.counts(queue).get("ready").asInt()).isEqualTo(1);
    }

    @Test
    void redriveWithAFilterTakesOnlyTheMatchingDeadMessages() {
        String queue = uniqueQueue("redrive-filter");
        server.createQueue(queue, "{\"maxAttempts\":1}");
        String timedOut = dead(queue, "{\"tenant\":\"acme\"}", "provider timed out");
        String otherTenant = dead(queue, "{\"tenant\":\"globex\"}", "provider timed out");
        String declined = dead(queue, "{\"tenant\":\"acme\"}", "card declined");

        Reply reply = server.post("/api/v1/queues/" + queue + "/redrive", server.admin,
                "{\"filter\":{\"error\":\"timed out\",\"text\":\"acme\"}}");

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.json().get("redriven").asInt()).isEqualTo(1);
        assertThat(server.get("/api/v1/messages/" + timedOut, server.admin).json().get("state").asText()).isEqualTo("READY");
        assertThat(server.get("/api/v1/messages/" + otherTenant, server.admin).json().get("state").asText()).isEqualTo("DEAD");
        assertThat(server.get("/api/v1/messages/" + declined, server.admin).json().get("state").asText()).isEqualTo("DEAD");
    }

    @Test
    void aRedriveFilterWithAnUnknownFieldOrABadTimeChangesNothing() {
        String queue = uniqueQueue("redrive-bad-filter");
        server.createQueue(queue, "{\"maxAttempts\":1}");
        String id = dead(queue, "{}", "boom");

        assertProblem(server.post("/api/v1/queues/" + queue + "/redrive", server.admin, "{\"filter\":{\"colour\":\"red\"}}"),
                400, "filter.colour");
        assertProblem(server.post("/api/v1/queues/" + queue + "/redrive", server.admin, "{\"filter\":{\"since\":\"monday\"}}"),
                400, "filter.since");
        assertThat(server.get("/api/v1/messages/" + id, server.admin).json().get("state").asText()).isEqualTo("DEAD");
    }

    /** Sends {@code payload} to {@code queue} (one attempt allowed) and fails it with {@code error}. */
    private static String dead(String queue, String payload, String error) {
        String id = server.send(queue, payload);
        JsonNode leased = server.receiveOne(queue);
        assertThat(leased.get("id").asText()).isEqualTo(id);
        Reply nacked = server.post("/api/v1/messages/" + id + "/nack", server.admin,
                "{\"leaseId\":\"" + leased.get("leaseId").asText() + "\",\"error\":{\"message\":\"" + error + "\"}}");
        assertThat(nacked.json().get("state").asText()).as("%s", nacked).isEqualTo("DEAD");
        return id;
    }

    @Test
    void redriveOfAnUnknownQueueIs404() {
        assertProblem(server.post("/api/v1/queues/never-made/redrive", server.admin, "{}"), 404);
    }
}
