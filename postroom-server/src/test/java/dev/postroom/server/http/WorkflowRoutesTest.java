package dev.postroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postroom.server.http.TestServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static dev.postroom.server.http.TestServer.assertProblem;
import static dev.postroom.server.http.TestServer.uniqueQueue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Workflows over HTTP: the close-account example step by step (each step released once the one
 * before it was acked, with its result in {@code workflow.results}), idempotent starts, errors
 * that store nothing, scopes, cancel and retry.
 */
class WorkflowRoutesTest {
    @RegisterExtension
    static final TestServer server = new TestServer();

    private static String queue(String prefix, String policy) {
        String queue = uniqueQueue(prefix);
        server.createQueue(queue, policy);
        return queue;
    }

    private static String closeAccount(String sessions, String refunds, String emails, String extra) {
        return """
                {"name": "close-account", %s "steps": [
                  {"name": "revoke", "queue": "%s", "payload": {"customer": 7}},
                  {"name": "refund", "queue": "%s", "payload": {"customer": 7}, "after": ["revoke"]},
                  {"name": "goodbye", "queue": "%s", "payload": {"customer": 7}, "after": ["refund"], "headers": {"template": "bye"}}
                ]}""".formatted(extra, sessions, refunds, emails);
    }

    private static JsonNode workflow(String id) {
        Reply reply = server.get("/api/v1/workflows/" + id, server.admin);
        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        return reply.json();
    }

    private static String stepState(String workflowId, int step) {
        return workflow(workflowId).get("steps").get(step).get("state").asText();
    }

    private static void ack(JsonNode leased, String result) {
        Reply acked = server.post("/api/v1/messages/" + leased.get("id").asText() + "/ack", server.admin,
                "{\"leaseId\":\"" + leased.get("leaseId").asText() + "\",\"result\":" + result + "}");
        assertThat(acked.status()).as("%s", acked).isEqualTo(200);
    }

    @Test
    void theCloseAccountWorkflowRunsStepByStepWithResultsPassedOn() {
        String sessions = queue("wsessions", "{}");
        String refunds = queue("wrefunds", "{}");
        String emails = queue("wemails", "{}");

        Reply started = server.post("/api/v1/workflows", server.admin, closeAccount(sessions, refunds, emails, ""));

        assertThat(started.status()).as("%s", started).isEqualTo(201);
        JsonNode body = started.json();
        String id = body.get("id").asText();
        assertThat(body.get("state").asText()).isEqualTo("RUNNING");
        assertThat(body.get("duplicate").asBoolean()).isFalse();
        assertThat(body.get("steps")).extracting(s -> s.get("name").asText() + " " + s.get("state").asText())
                .containsExactly("revoke READY", "refund WAITING", "goodbye WAITING");
        String refundId = body.get("steps").get(1).get("messageId").asText();

        JsonNode revoke = server.receiveOne(sessions);
        assertThat(revoke.get("workflow").get("id").asText()).isEqualTo(id);
        assertThat(revoke.get("workflow").get("step").asText()).isEqualTo("revoke");
        assertThat(revoke.get("workflow").get("results").isEmpty()).isTrue();
        ack(revoke, "{\"sessions\": 3}");
        await().atMost(Duration.ofSeconds(30)).until(() -> stepState(id, 1).equals("READY"));

        JsonNode refund = server.receiveOne(refunds);
        assertThat(refund.get("id").asText()).isEqualTo(refundId);
        assertThat(refund.get("workflow").get("results").get("revoke").get("sessions").asInt()).isEqualTo(3);
        assertThat(server.message(refundId).get("workflow").get("step").asText()).isEqualTo("refund");
        assertThat(server.message(refundId).get("timeline")).anySatisfy(t -> assertThat(t.get("reason").asText())
                .isEqualTo("released after revoke"));
        ack(refund, "\"refunds-7.csv\"");
        await().atMost(Duration.ofSeconds(30)).until(() -> stepState(id, 2).equals("READY"));

        JsonNode goodbye = server.receiveOne(emails);
        assertThat(goodbye.get("headers").get("template").asText()).isEqualTo("bye");
        assertThat(goodbye.get("workflow").get("results").get("refund").asText()).isEqualTo("refunds-7.csv");
        ack(goodbye, "null");
        await().atMost(Duration.ofSeconds(30)).until(() -> workflow(id).get("state").asText().equals("SUCCEEDED"));
        assertThat(workflow(id).get("endedAt").isNull()).isFalse();
        assertThat(server.get("/api/v1/workflows?state=SUCCEEDED&name=close-account", server.admin).json().get("workflows"))
                .anySatisfy(w -> assertThat(w.get("id").asText()).isEqualTo(id));
        assertThat(server.get("/api/v1/messages/" + server.send(sessions, "{}"), server.admin).json().get("workflow").isNull()).isTrue();
    }

    @Test
    void aSecondStartWithTheSameKeyAnswers200WithTheFirstWorkflow() {
        String sessions = queue("wsessions", "{}");
        String body = closeAccount(sessions, sessions, sessions, "\"idempotencyKey\": \"close-" + sessions + "\",");
        Reply first = server.post("/api/v1/workflows", server.admin, body);
        Reply again = server.post("/api/v1/workflows", server.admin, body);

        assertThat(first.status()).isEqualTo(201);
        assertThat(again.status()).as("%s", again).isEqualTo(200);
        assertThat(again.json().get("duplicate").asBoolean()).isTrue();
        assertThat(again.json().get("id").asText()).isEqualTo(first.json().get("id").asText());
        assertThat(server.counts(sessions).get("ready").asInt()).isEqualTo(1);
    }

    @Test
    void anIdempotencyKeyTakenByAWorkflowTheTokenCannotSeeIs409WithoutShowingIt() {
        String theirs = queue("wtheirs", "{}");
        String mine = queue("wmine", "{}");
        String key = "\"idempotencyKey\": \"shared-" + theirs + "\",";
        assertThat(server.post("/api/v1/workflows", server.admin, closeAccount(theirs, theirs, theirs, key)).status()).isEqualTo(201);

        Reply refused = server.post("/api/v1/workflows", server.token("send:" + mine), closeAccount(mine, mine, mine, key));

        assertThat(assertProblem(refused, 409, "idempotencyKey").toString()).doesNotContain(theirs);
        assertThat(server.counts(mine).get("ready").asInt()).isZero();
    }

    @Test
    void badWorkflowsAreRefusedAndStoreNothing() {
        String sessions = queue("wsessions", "{}");
        String cyclic = """
                {"steps": [{"name": "a", "queue": "%1$s", "after": ["b"]}, {"name": "b", "queue": "%1$s", "after": ["a"]}]}"""
                .formatted(sessions);

        assertThat(assertProblem(server.post("/api/v1/workflows", server.admin, cyclic), 422).get("detail").asText()).contains("cycle");
        assertProblem(server.post("/api/v1/workflows", server.admin, "{\"steps\": []}"), 422, "steps");
        assertProblem(server.post("/api/v1/workflows", server.admin, "{\"steps\": [{\"name\": \"a\"}]}"), 422, "steps[0].queue");
        assertProblem(server.post("/api/v1/workflows", server.admin,
                "{\"steps\": [{\"name\": \"a\", \"queue\": \"%s\"}, {\"name\": \"a\", \"queue\": \"%s\"}]}".formatted(sessions, sessions)),
                422, "steps[1].name");
        assertProblem(server.post("/api/v1/workflows", server.admin,
                "{\"steps\": [{\"name\": \"a\", \"queue\": \"%s\", \"after\": [\"nope\"]}]}".formatted(sessions)), 422, "steps[0].after");
        assertProblem(server.post("/api/v1/workflows", server.admin,
                "{\"steps\": [{\"name\": \"a\", \"queue\": \"%s\", \"after\": [null]}]}".formatted(sessions)), 422, "steps[0].after");
        assertProblem(server.post("/api/v1/workflows", server.admin,
                "{\"steps\": [{\"name\": \"a\", \"queue\": \"%s\"}, {\"name\": \"b\", \"queue\": \"no-such-queue-wf\"}]}".formatted(sessions)), 404);
        assertProblem(server.post("/api/v1/workflows", server.admin,
                "{\"steps\": [{\"name\": \"a\", \"queue\": \"%s\", \"wait\": 1}]}".formatted(sessions)), 400);

        assertThat(server.counts(sessions).get("ready").asInt()).isZero();
        assertThat(server.counts(sessions).get("scheduled").asInt()).isZero();
    }

    @Test
    void scopesGuardStartingSeeingAndOperating() {
        String sessions = queue("wsessions", "{}");
        String emails = queue("wemails", "{}");
        String body = closeAccount(sessions, sessions, emails, "");

        assertProblem(server.post("/api/v1/workflows", server.token("send:" + sessions), body), 403);
        assertThat(server.counts(sessions).get("ready").asInt()).isZero();
        Reply started = server.post("/api/v1/workflows", server.token("send:" + sessions, "send:" + emails), body);
        assertThat(started.status()).as("%s", started).isEqualTo(201);
        String id = started.json().get("id").asText();

        assertThat(server.get("/api/v1/workflows/" + id, server.token("receive:" + sessions, "receive:" + emails)).status()).isEqualTo(200);
        assertProblem(server.get("/api/v1/workflows/" + id, server.token("receive:" + sessions)), 404);
        assertProblem(server.get("/api/v1/workflows", server.token("send:*")), 403);
        assertProblem(server.post("/api/v1/workflows/" + id + "/cancel", server.token("read"), ""), 403);
        assertProblem(server.post("/api/v1/workflows/" + id + "/retry", server.token("read"), ""), 403);
        assertProblem(server.get("/api/v1/workflows/0190a4c6-0000-7000-8000-000000000000", server.admin), 404);
        assertProblem(server.get("/api/v1/workflows?state=LOST", server.admin), 422, "state");
    }

    @Test
    void cancelStopsEveryStepAndRetryResumesAFailedWorkflow() {
        String sessions = queue("wsessions", "{\"maxAttempts\": 1}");
        String emails = queue("wemails", "{}");
        String id = server.post("/api/v1/workflows", server.admin, closeAccount(sessions, sessions, emails, "")).json().get("id").asText();

        JsonNode revoke = server.receiveOne(sessions);
        Reply nacked = server.post("/api/v1/messages/" + revoke.get("id").asText() + "/nack", server.admin,
                "{\"leaseId\":\"" + revoke.get("leaseId").asText() + "\",\"error\":{\"message\":\"sessions service down\"}}");
        assertThat(nacked.status()).as("%s", nacked).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> workflow(id).get("state").asText().equals("FAILED"));

        Reply retried = server.post("/api/v1/workflows/" + id + "/retry", server.token("operate"), "");
        assertThat(retried.status()).as("%s", retried).isEqualTo(200);
        assertThat(retried.json().get("steps").get(0).get("state").asText()).isEqualTo("READY");
        await().atMost(Duration.ofSeconds(30)).until(() -> workflow(id).get("state").asText().equals("RUNNING"));

        Reply cancelled = server.post("/api/v1/workflows/" + id + "/cancel", server.token("operate"), "");
        assertThat(cancelled.status()).as("%s", cancelled).isEqualTo(200);
        assertThat(cancelled.json().get("state").asText()).isEqualTo("CANCELLED");
        assertThat(cancelled.json().get("steps")).extracting(s -> s.get("state").asText()).containsOnly("CANCELLED");
        assertThat(server.audit().browse(dev.postroom.server.audit.AuditQuery.builder().target(id).build()).entries())
                .extracting(dev.postroom.server.audit.AuditEntry::action).contains("workflow.cancel", "workflow.retry");
        assertThat(server.get("/api/v1/workflows?state=CANCELLED", server.admin).json().get("workflows"))
                .anySatisfy(w -> assertThat(w.get("id").asText()).isEqualTo(id));
    }
}
