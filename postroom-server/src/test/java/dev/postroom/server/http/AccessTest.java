package dev.postroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postroom.server.http.ApiRoutes.Route;
import dev.postroom.server.http.TestServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static dev.postroom.server.http.TestServer.assertProblem;
import static dev.postroom.server.http.TestServer.uniqueQueue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The auth matrix, for every route in {@link ApiRoutes}: no token or an unknown one is 401, a
 * token without the route's scope is 403 (404 for reading one message, so that ids do not leak),
 * a token with just that scope succeeds. Then the globs of {@code send:} and {@code receive:}
 * scopes, which scopes imply which, and who may read one message.
 */
class AccessTest {
    private static final List<String> ADMIN = List.of("admin");
    private static final List<String> NOT_ADMIN = List.of("operate", "send:*", "receive:*");
    private static final List<String> OPERATE = List.of("operate");
    private static final List<String> NOT_OPERATE = List.of("read", "send:*", "receive:*");
    private static final List<String> READ = List.of("read");
    private static final List<String> NOT_READ = List.of("send:*", "receive:*");
    /** Queues made here are named {@code acc-N} ({@link #newQueue}). */
    private static final List<String> SEND = List.of("send:acc-*");
    private static final List<String> NOT_SEND = List.of("send:other-*", "receive:acc-*", "operate");
    private static final List<String> RECEIVE = List.of("receive:acc-*");
    private static final List<String> NOT_RECEIVE = List.of("receive:other-*", "send:acc-*", "operate");
    private static final AtomicInteger USERS = new AtomicInteger();

    @RegisterExtension
    static final TestServer server = new TestServer();
    private static final Map<List<String>, String> tokens = new ConcurrentHashMap<>();

    private static String token(List<String> scopes) {
        return tokens.computeIfAbsent(scopes, s -> server.token(s.toArray(String[]::new)));
    }

    /** One request, ready to send. */
    private record Call(String method, String path, String body) {
    }

    /**
     * The scopes a route needs, a set of scopes that falls short of them, a fresh request, and the
     * status that refuses the short set.
     */
    /** {@link Case#refused} of a route that answers 200 and refuses entry by entry. */
    private static final int PER_ENTRY = 200;

    private record Case(List<String> needed, List<String> lacking, Supplier<Call> call, int refused) {
        Case(List<String> needed, List<String> lacking, Supplier<Call> call) {
            this(needed, lacking, call, 403);
        }
    }

    static List<Route> tokenRoutes() {
        return ApiRoutes.withToken();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tokenRoutes")
    void withoutAValidBearerTokenEveryRouteIs401(Route route) {
        String path = route.path().replace("{queue}", "acc-x").replace("{id}", MessageRoutesTest.UNKNOWN_ID)
                .replace("{username}", "nobody").replace("{topic}", "acc-t").replace("{name}", "sub");
        String body = route.method().equals("GET") || route.method().equals("DELETE") ? null : "{}";

        assertProblem(server.call(route.method(), path, null, body), 401);
        assertProblem(server.call(route.method(), path, "pr_unknown-token-of-the-right-length-000000", body), 401);
        assertProblem(send(route.method(), path, "Basic YWRtaW46YWRtaW4=", body), 401);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tokenRoutes")
    void everyRouteIs403WithoutItsScopeAnd2xxWithIt(Route route) {
        Case access = caseOf(route);
        Call call = access.call().get();
        if (access.refused() == PER_ENTRY) {
            assertEachEntryIs403WithoutItsScopeAnd200WithIt(route, access, call);
            return;
        }

        JsonNode refused = assertProblem(server.call(call.method(), call.path(), token(access.lacking()), call.body()), access.refused());
        if (access.refused() == 403) {
            assertThat(refused.get("detail").asText()).contains("lacks the scope");
        }

        Reply allowed = server.call(call.method(), call.path(), token(access.needed()), call.body());
        assertThat(allowed.status()).as("%s with %s: %s", route, access.needed(), allowed).isBetween(200, 299);
    }

    /** A batch settle answers 200 with a status per entry: the entry is refused, not the request. */
    private void assertEachEntryIs403WithoutItsScopeAnd200WithIt(Route route, Case access, Call call) {
        Reply refused = server.call(call.method(), call.path(), token(access.lacking()), call.body());
        assertThat(refused.status()).as("%s", refused).isEqualTo(200);
        assertThat(refused.json().get("results").get(0).get("status").asInt()).as("%s", refused).isEqualTo(403);
        assertThat(refused.json().get("results").get(0).get("detail").asText()).contains("lacks the scope");

        Reply allowed = server.call(call.method(), call.path(), token(access.needed()), call.body());
        assertThat(allowed.status()).as("%s with %s: %s", route, access.needed(), allowed).isEqualTo(200);
        assertThat(allowed.json().get("results").get(0).get("status").asInt()).as("%s", allowed).isEqualTo(200);
    }

    private static Reply send(String method, String path, String authorization, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).header("Authorization", authorization)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> response = server.http().send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Case caseOf(Route route) {
        return switch (route.toString()) {
            case "PUT /api/v1/queues/{queue}" -> new Case(ADMIN, NOT_ADMIN, () -> new Call("PUT", "/api/v1/queues/" + uniqueQueue("acc"), "{}"));
            case "GET /api/v1/queues" -> new Case(READ, NOT_READ, () -> new Call("GET", "/api/v1/queues", null));
            case "GET /api/v1/queues/{queue}" -> new Case(READ, NOT_READ, () -> new Call("GET", "/api/v1/queues/" + newQueue(), null));
            case "DELETE /api/v1/queues/{queue}" -> new Case(ADMIN, NOT_ADMIN, () -> new Call("DELETE", "/api/v1/queues/" + newQueue(), null));
            case "POST /api/v1/queues/{queue}/pause" -> new Case(OPERATE, NOT_OPERATE, () -> queueCall("pause", null));
            case "POST /api/v1/queues/{queue}/resume" -> new Case(OPERATE, NOT_OPERATE, () -> queueCall("resume", null));
            case "POST /api/v1/queues/{queue}/purge" -> new Case(OPERATE, NOT_OPERATE, () -> queueCall("purge", "{\"states\":[\"DEAD\"]}"));
            case "POST /api/v1/queues/{queue}/redrive" -> new Case(OPERATE, NOT_OPERATE, () -> queueCall("redrive", "{}"));
            case "POST /api/v1/queues/{queue}/messages" -> new Case(SEND, NOT_SEND, () -> queueCall("messages", "{\"payload\":1}"));
            case "POST /api/v1/queues/{queue}/messages:batch" -> new Case(SEND, NOT_SEND,
                    () -> queueCall("messages:batch", "{\"messages\":[{\"payload\":1}]}"));
            case "POST /api/v1/queues/{queue}/receive" -> new Case(RECEIVE, NOT_RECEIVE, () -> queueCall("receive", "{}"));
            case "POST /api/v1/messages/{id}/ack" -> new Case(RECEIVE, NOT_RECEIVE, () -> leasedCall("ack", ""));
            case "POST /api/v1/messages:ack" -> new Case(RECEIVE, NOT_RECEIVE, () -> leasedBatchCall("ack", ""), PER_ENTRY);
            case "POST /api/v1/messages:nack" -> new Case(RECEIVE, NOT_RECEIVE,
                    () -> leasedBatchCall("nack", ",\"error\":{\"message\":\"x\"}"), PER_ENTRY);
            case "POST /api/v1/messages/{id}/nack" -> new Case(RECEIVE, NOT_RECEIVE, () -> leasedCall("nack", ",\"error\":{\"message\":\"x\"}"));
            case "POST /api/v1/messages/{id}/extend" -> new Case(RECEIVE, NOT_RECEIVE, () -> leasedCall("extend", ",\"leaseSeconds\":60"));
            case "POST /api/v1/messages/{id}/snooze" -> new Case(RECEIVE, NOT_RECEIVE, () -> leasedCall("snooze", ",\"seconds\":30"));
            case "POST /api/v1/messages/{id}/progress" -> new Case(RECEIVE, NOT_RECEIVE, () -> leasedCall("progress", ",\"percent\":5"));
            case "GET /api/v1/messages" -> new Case(READ, NOT_READ, () -> new Call("GET", "/api/v1/messages?limit=5", null));
            case "GET /api/v1/messages/{id}" -> new Case(READ, List.of("send:other-*", "receive:other-*"),
                    () -> new Call("GET", "/api/v1/messages/" + newMessage(), null), 404);
            case "POST /api/v1/messages/{id}/retry" -> new Case(OPERATE, NOT_OPERATE, () -> {
                String id = newMessage();
                assertThat(server.post("/api/v1/messages/" + id + "/cancel", server.admin, null).status()).isEqualTo(200);
                return new Call("POST", "/api/v1/messages/" + id + "/retry", null);
            });
            case "POST /api/v1/messages/{id}/cancel" -> new Case(OPERATE, NOT_OPERATE,
                    () -> new Call("POST", "/api/v1/messages/" + newMessage() + "/cancel", null));
            case "DELETE /api/v1/messages/{id}" -> new Case(OPERATE, NOT_OPERATE, () -> new Call("DELETE", "/api/v1/messages/" + newMessage(), null));
            case "PUT /api/v1/topics/{topic}" -> new Case(ADMIN, NOT_ADMIN, () -> new Call("PUT", "/api/v1/topics/" + uniqueQueue("acc"), "{}"));
            case "GET /api/v1/topics" -> new Case(READ, NOT_READ, () -> new Call("GET", "/api/v1/topics", null));
            case "GET /api/v1/topics/{topic}" -> new Case(READ, NOT_READ, () -> new Call("GET", "/api/v1/topics/" + newTopic(), null));
            case "DELETE /api/v1/topics/{topic}" -> new Case(ADMIN, NOT_ADMIN, () -> new Call("DELETE", "/api/v1/topics/" + newTopic(), null));
            case "PUT /api/v1/topics/{topic}/subscriptions/{name}" -> new Case(ADMIN, NOT_ADMIN,
                    () -> new Call("PUT", "/api/v1/topics/" + newTopic() + "/subscriptions/s", "{\"queue\":\"" + newQueue() + "\"}"));
            case "DELETE /api/v1/topics/{topic}/subscriptions/{name}" -> new Case(ADMIN, NOT_ADMIN, () -> {
                String topic = newTopic();
                server.subscribe(topic, "s", newQueue());
                return new Call("DELETE", "/api/v1/topics/" + topic + "/subscriptions/s", null);
            });
            // Publishing is sending to the topic: send:<glob> matching the topic's name.
            case "POST /api/v1/topics/{topic}/messages" -> new Case(SEND, NOT_SEND,
                    () -> new Call("POST", "/api/v1/topics/" + newTopic() + "/messages", "{\"payload\":1}"));
            case "PUT /api/v1/schedules/{name}" -> new Case(ADMIN, NOT_ADMIN, () -> new Call("PUT", "/api/v1/schedules/" + uniqueQueue("acc-s"),
                    "{\"cron\":\"0 * * * *\",\"queue\":\"" + newQueue() + "\",\"payload\":1}"));
            case "GET /api/v1/schedules" -> new Case(READ, NOT_READ, () -> new Call("GET", "/api/v1/schedules", null));
            case "GET /api/v1/schedules/{name}" -> new Case(READ, NOT_READ, () -> new Call("GET", "/api/v1/schedules/" + newSchedule(), null));
            case "DELETE /api/v1/schedules/{name}" -> new Case(ADMIN, NOT_ADMIN, () -> new Call("DELETE", "/api/v1/schedules/" + newSchedule(), null));
            case "POST /api/v1/schedules/{name}/pause" -> new Case(OPERATE, NOT_OPERATE,
                    () -> new Call("POST", "/api/v1/schedules/" + newSchedule() + "/pause", null));
            case "POST /api/v1/schedules/{name}/resume" -> new Case(OPERATE, NOT_OPERATE,
                    () -> new Call("POST", "/api/v1/schedules/" + newSchedule() + "/resume", null));
            case "POST /api/v1/schedules/{name}/run" -> new Case(OPERATE, NOT_OPERATE,
                    () -> new Call("POST", "/api/v1/schedules/" + newSchedule() + "/run", null));
            case "GET /api/v1/batches" -> new Case(READ, NOT_READ, () -> new Call("GET", "/api/v1/batches?limit=5", null));
            case "GET /api/v1/batches/{id}" -> new Case(READ, List.of("send:other-*", "receive:other-*"),
                    () -> new Call("GET", "/api/v1/batches/" + newBatch(), null), 404);
            case "GET /api/v1/batches/{id}/messages" -> new Case(READ, List.of("send:other-*", "receive:other-*"),
                    () -> new Call("GET", "/api/v1/batches/" + newBatch() + "/messages", null), 404);
            case "POST /api/v1/erasures" -> new Case(ADMIN, NOT_ADMIN, () -> new Call("POST", "/api/v1/erasures",
                    "{\"filter\":{\"orderingKey\":\"nobody\"},\"dryRun\":true}"));
            case "GET /api/v1/erasures/{id}" -> new Case(ADMIN, NOT_ADMIN, () -> {
                Reply started = server.post("/api/v1/erasures", server.admin, "{\"filter\":{\"orderingKey\":\"nobody\"}}");
                return new Call("GET", "/api/v1/erasures/" + started.json().get("id").asText(), null);
            });
            case "GET /api/v1/encryption" -> new Case(ADMIN, NOT_ADMIN, () -> new Call("GET", "/api/v1/encryption", null));
            case "GET /api/v1/archive" -> new Case(READ, NOT_READ, () -> new Call("GET", "/api/v1/archive?limit=5", null));
            case "GET /api/v1/archive/{id}" -> new Case(READ, NOT_READ,
                    () -> new Call("GET", "/api/v1/archive/" + server.archived(uniqueQueue("acc"), "{}", "1"), null));
            case "POST /api/v1/replays" -> new Case(OPERATE, NOT_OPERATE, () -> new Call("POST", "/api/v1/replays",
                    "{\"filter\":{\"queue\":\"" + newQueue() + "\"},\"dryRun\":true}"));
            case "GET /api/v1/replays" -> new Case(OPERATE, NOT_OPERATE, () -> new Call("GET", "/api/v1/replays", null));
            case "GET /api/v1/replays/{id}" -> new Case(OPERATE, NOT_OPERATE, () -> {
                Reply started = server.post("/api/v1/replays", server.admin, "{\"filter\":{\"queue\":\"" + newQueue() + "\"}}");
                return new Call("GET", "/api/v1/replays/" + started.json().get("id").asText(), null);
            });
            case "POST /api/v1/encryption/reencrypt" -> new Case(ADMIN, NOT_ADMIN, () -> {
                // One runs at a time: wait out any earlier one, so that this one may start.
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
                        server.get("/api/v1/encryption", server.admin).json().get("reencryption").path("state").asText("").equals("RUNNING") == false);
                return new Call("POST", "/api/v1/encryption/reencrypt", null);
            });
            case "POST /api/v1/workflows" -> new Case(SEND, NOT_SEND, () -> new Call("POST", "/api/v1/workflows",
                    "{\"steps\":[{\"name\":\"a\",\"queue\":\"" + newQueue() + "\"}]}"));
            case "GET /api/v1/workflows" -> new Case(READ, NOT_READ, () -> new Call("GET", "/api/v1/workflows?limit=5", null));
            case "GET /api/v1/workflows/{id}" -> new Case(READ, List.of("send:other-*", "receive:other-*"),
                    () -> new Call("GET", "/api/v1/workflows/" + newWorkflow(), null), 404);
            case "POST /api/v1/workflows/{id}/cancel" -> new Case(OPERATE, NOT_OPERATE,
                    () -> new Call("POST", "/api/v1/workflows/" + newWorkflow() + "/cancel", null));
            case "POST /api/v1/workflows/{id}/retry" -> new Case(OPERATE, NOT_OPERATE,
                    () -> new Call("POST", "/api/v1/workflows/" + newWorkflow() + "/retry", null));
            case "POST /api/v1/tokens" -> new Case(ADMIN, NOT_ADMIN, () -> new Call("POST", "/api/v1/tokens", "{\"name\":\"t\",\"scopes\":[\"read\"]}"));
            case "GET /api/v1/tokens" -> new Case(ADMIN, NOT_ADMIN, () -> new Call("GET", "/api/v1/tokens", null));
            case "DELETE /api/v1/tokens/{id}" -> new Case(ADMIN, NOT_ADMIN, () -> {
                Reply created = server.post("/api/v1/tokens", server.admin, "{\"name\":\"doomed\",\"scopes\":[\"read\"]}");
                return new Call("DELETE", "/api/v1/tokens/" + created.json().get("id").asText(), null);
            });
            case "POST /api/v1/users" -> new Case(ADMIN, NOT_ADMIN, () -> new Call("POST", "/api/v1/users",
                    "{\"username\":\"user" + USERS.incrementAndGet() + "\",\"password\":\"0123456789\"}"));
            case "PUT /api/v1/users/{username}/password" -> new Case(ADMIN, NOT_ADMIN,
                    () -> new Call("PUT", "/api/v1/users/" + newUser() + "/password", "{\"password\":\"9876543210\"}"));
            case "DELETE /api/v1/users/{username}" -> new Case(ADMIN, NOT_ADMIN, () -> new Call("DELETE", "/api/v1/users/" + newUser(), null));
            case "PUT /api/v1/webhooks/{name}" -> new Case(ADMIN, NOT_ADMIN, () -> new Call("PUT", "/api/v1/webhooks/" + uniqueQueue("acc-w"),
                    "{\"url\":\"http://127.0.0.1:9/hook\",\"events\":[\"message.dead\"]}"));
            case "GET /api/v1/webhooks" -> new Case(ADMIN, NOT_ADMIN, () -> new Call("GET", "/api/v1/webhooks", null));
            case "DELETE /api/v1/webhooks/{name}" -> new Case(ADMIN, NOT_ADMIN, () -> {
                String name = uniqueQueue("acc-w");
                server.put("/api/v1/webhooks/" + name, server.admin, "{\"url\":\"http://127.0.0.1:9/hook\",\"events\":[\"node.down\"]}");
                return new Call("DELETE", "/api/v1/webhooks/" + name, null);
            });
            case "GET /api/v1/audit" -> new Case(READ, NOT_READ, () -> new Call("GET", "/api/v1/audit?limit=5", null));
            case "POST /api/v1/backups" -> new Case(ADMIN, NOT_ADMIN, () -> new Call("POST", "/api/v1/backups", null));
            case "GET /api/v1/events" -> new Case(READ, NOT_READ, () -> new Call("GET", "/api/v1/events", null));
            case "GET /api/v1/openapi.json" -> new Case(READ, NOT_READ, () -> new Call("GET", "/api/v1/openapi.json", null));
            case "GET /metrics" -> new Case(READ, NOT_READ, () -> new Call("GET", "/metrics", null));
            default -> throw new AssertionError("no access case for " + route + "; add one to AccessTest.caseOf");
        };
    }

    private static String newQueue() {
        String queue = uniqueQueue("acc");
        server.createQueue(queue);
        return queue;
    }

    /** A topic named like the queues here ({@code acc-N}), so that {@link #SEND} may publish to it. */
    private static String newTopic() {
        String topic = uniqueQueue("acc");
        server.createTopic(topic);
        return topic;
    }

    private static Call queueCall(String action, String body) {
        return new Call("POST", "/api/v1/queues/" + newQueue() + "/" + action, body);
    }

    /** A schedule (hourly, to a new queue) made with the admin token; returns its name. */
    private static String newSchedule() {
        String name = uniqueQueue("acc-s");
        Reply put = server.put("/api/v1/schedules/" + name, server.admin, "{\"cron\":\"0 * * * *\",\"queue\":\"" + newQueue() + "\",\"payload\":1}");
        assertThat(put.status()).as("%s", put).isEqualTo(201);
        return name;
    }

    private static String newBatch() {
        Reply sent = server.post("/api/v1/queues/" + newQueue() + "/messages:batch", server.admin,
                "{\"messages\":[{\"payload\":1}],\"batch\":{}}");
        assertThat(sent.status()).as("%s", sent).isEqualTo(201);
        return sent.json().get("batchId").asText();
    }

    private static String newWorkflow() {
        Reply started = server.post("/api/v1/workflows", server.admin, "{\"steps\":[{\"name\":\"a\",\"queue\":\"" + newQueue() + "\"}]}");
        assertThat(started.status()).as("%s", started).isEqualTo(201);
        return started.json().get("id").asText();
    }

    private static String newMessage() {
        return server.send(newQueue(), "{}");
    }

    /** A message leased with the admin token; {@code rest} continues the body after the leaseId. */
    private static Call leasedBatchCall(String action, String rest) {
        String queue = newQueue();
        String id = server.send(queue, "{}");
        String lease = server.receiveOne(queue).get("leaseId").asText();
        return new Call("POST", "/api/v1/messages:" + action,
                "{\"" + action + "s\":[{\"id\":\"" + id + "\",\"leaseId\":\"" + lease + "\"" + rest + "}]}");
    }

    private static Call leasedCall(String action, String rest) {
        String queue = newQueue();
        String id = server.send(queue, "{}");
        String lease = server.receiveOne(queue).get("leaseId").asText();
        return new Call("POST", "/api/v1/messages/" + id + "/" + action, "{\"leaseId\":\"" + lease + "\"" + rest + "}");
    }

    private static String newUser() {
        String username = "user" + USERS.incrementAndGet();
        Reply added = server.post("/api/v1/users", server.admin, "{\"username\":\"" + username + "\",\"password\":\"0123456789\"}");
        assertThat(added.status()).as("%s", added).isEqualTo(201);
        return username;
    }

    // ---------------------------------------------------------------- globs and implied scopes

    @Test
    void sendGlobAllowsMatchingQueuesOnly() {
        for (String queue : List.of("orders-eu", "orders-", "invoices-eu", "orders", "xorders-eu")) {
            server.createQueue(queue);
        }
        String orders = server.token("send:orders-*");

        assertThat(server.post("/api/v1/queues/orders-eu/messages", orders, "{\"payload\":1}").status()).isEqualTo(201);
        assertThat(server.post("/api/v1/queues/orders-/messages", orders, "{\"payload\":1}").status()).isEqualTo(201);
        JsonNode problem = assertProblem(server.post("/api/v1/queues/invoices-eu/messages", orders, "{\"payload\":1}"), 403);
        assertThat(problem.get("detail").asText()).contains("send:invoices-eu");
        assertProblem(server.post("/api/v1/queues/orders/messages", orders, "{\"payload\":1}"), 403);
        assertProblem(server.post("/api/v1/queues/xorders-eu/messages", orders, "{\"payload\":1}"), 403);
        assertProblem(server.post("/api/v1/queues/orders-eu/receive", orders, "{}"), 403);
    }

    @Test
    void aGlobWithoutStarMatchesExactlyOneQueueAndItsDotsAreLiteral() {
        server.createQueue("billing.v1");
        server.createQueue("billingXv1");
        String exact = server.token("send:billing.v1");

        assertThat(server.post("/api/v1/queues/billing.v1/messages", exact, "{\"payload\":1}").status()).isEqualTo(201);
        assertProblem(server.post("/api/v1/queues/billingXv1/messages", exact, "{\"payload\":1}"), 403);
    }

    @Test
    void receiveGlobAllowsMatchingQueuesOnly() {
        server.createQueue("jobs-a-r");
        server.createQueue("tasks-a-r");
        String jobs = server.token("receive:jobs-*");

        assertThat(server.post("/api/v1/queues/jobs-a-r/receive", jobs, "{}").status()).isEqualTo(200);
        assertProblem(server.post("/api/v1/queues/tasks-a-r/receive", jobs, "{}"), 403);
        assertProblem(server.post("/api/v1/queues/jobs-a-r/messages", jobs, "{\"payload\":1}"), 403);
    }

    @Test
    void aQueueNameNoQueueCanHaveIs422NamingQueueBeforeAnyScopeIsMatched() {
        String globs = server.token("send:a*a*a*a*a*a*a*b", "receive:a*a*a*a*a*a*a*b");
        String longName = "a".repeat(5_000);

        assertProblem(server.post("/api/v1/queues/" + longName + "/messages", globs, "{\"payload\":1}"), 422, "queue");
        assertProblem(server.post("/api/v1/queues/" + longName + "/receive", globs, "{}"), 422, "queue");
        assertProblem(server.post("/api/v1/queues/bad%20name/messages", globs, "{\"payload\":1}"), 422, "queue");
    }

    @Test
    void settlingAMessageNeedsReceiveScopeOnTheMessagesQueue() {
        server.createQueue("mail-settle");
        server.createQueue("sms-settle");
        String mail = server.token("receive:mail-*");
        String reader = server.token("read");
        String id = server.send("sms-settle", "{}");
        String lease = server.receiveOne("sms-settle").get("leaseId").asText();

        // A message of a queue the token cannot see is unknown to it, as for GET: its queue is not revealed.
        for (String route : List.of("ack", "nack", "extend", "progress")) {
            JsonNode problem = assertProblem(server.post("/api/v1/messages/" + id + "/" + route, mail,
                    "{\"leaseId\":\"" + lease + "\",\"error\":{\"message\":\"x\"},\"leaseSeconds\":60}"), 404);
            assertThat(problem.toString()).doesNotContain("sms-settle");
        }
        assertProblem(server.post("/api/v1/messages/" + id + "/ack", reader, "{\"leaseId\":\"" + lease + "\"}"), 403);
        assertThat(server.message(id).get("state").asText()).isEqualTo("IN_FLIGHT");

        String mine = server.send("mail-settle", "{}");
        JsonNode leased = server.post("/api/v1/queues/mail-settle/receive", mail, "{}").json().get("messages").get(0);
        assertThat(server.post("/api/v1/messages/" + mine + "/ack", mail, "{\"leaseId\":\"" + leased.get("leaseId").asText() + "\"}")
                .status()).isEqualTo(200);
    }

    @Test
    void onlyAnAdminMaySendToOrReceiveFromTheWebhookDeliveries() {
        String deliveries = "postroom.webhooks";
        server.createQueue(deliveries);
        String mine = newQueue();
        String wide = server.token("send:*", "receive:*");
        // Both may send to mine: their batch with an onComplete into the deliveries is refused for that alone.
        String named = server.token("send:postroom.*", "send:" + mine, "receive:postroom.webhooks");
        String forged = "{\"payload\":{\"webhook\":\"ops\",\"event\":\"node.down\",\"body\":\"{}\"}}";

        for (String token : List.of(wide, named)) {
            JsonNode refused = assertProblem(server.post("/api/v1/queues/" + deliveries + "/messages", token, forged), 403);
            assertThat(refused.get("detail").asText()).contains("Postroom's own");
            assertProblem(server.post("/api/v1/queues/" + deliveries + "/messages:batch", token, "{\"messages\":[" + forged + "]}"), 403);
            assertProblem(server.post("/api/v1/queues/" + deliveries + "/receive", token, "{}"), 403);
            assertProblem(server.post("/api/v1/queues/" + mine + "/messages:batch", token, "{\"messages\":[{\"payload\":1}],"
                    + "\"batch\":{\"onComplete\":{\"queue\":\"" + deliveries + "\",\"payload\":{}}}}"), 403);
            assertProblem(server.post("/api/v1/workflows", token, "{\"steps\":[{\"name\":\"a\",\"queue\":\"" + deliveries + "\",\"payload\":{}}]}"), 403);
        }
        String topic = uniqueQueue("acc-topic");
        assertThat(server.put("/api/v1/topics/" + topic, server.admin, "{}").status()).isEqualTo(201);
        assertProblem(server.put("/api/v1/topics/" + topic + "/subscriptions/hooks", server.admin, "{\"queue\":\"" + deliveries + "\"}"), 422, "queue");
        assertThat(server.postroom().queue(deliveries).counts()).as("nothing reached the deliveries").isEqualTo(dev.postroom.StateCounts.EMPTY);

        String id = server.post("/api/v1/queues/" + deliveries + "/messages", server.admin, forged).json().get("id").asText();
        assertProblem(server.get("/api/v1/messages/" + id, wide), 404);
        assertThat(server.post("/api/v1/queues/" + deliveries + "/receive", server.admin, "{}").json().get("messages")).hasSize(1);
    }

    @Test
    void operateImpliesReadButNotAdmin() {
        String operate = server.token("operate");

        assertThat(server.get("/api/v1/queues", operate).status()).isEqualTo(200);
        assertThat(server.get("/metrics", operate).status()).isEqualTo(200);
        assertProblem(server.put("/api/v1/queues/" + uniqueQueue("acc"), operate, "{}"), 403);
        assertProblem(server.get("/api/v1/tokens", operate), 403);
    }

    @Test
    void readDoesNotImplySendOrReceive() {
        String queue = newQueue();
        String read = server.token("read");

        assertProblem(server.post("/api/v1/queues/" + queue + "/messages", read, "{\"payload\":1}"), 403);
        assertProblem(server.post("/api/v1/queues/" + queue + "/receive", read, "{}"), 403);
        assertProblem(server.post("/api/v1/queues/" + queue + "/pause", read, null), 403);
    }

    // ---------------------------------------------------------------- reading one message

    @Test
    void aMessageCanBeReadWithReadOrWithSendOrReceiveOnItsQueue() {
        String id = newMessage();

        for (List<String> scopes : List.of(READ, OPERATE, ADMIN, SEND, RECEIVE)) {
            Reply reply = server.get("/api/v1/messages/" + id, token(scopes));
            assertThat(reply.status()).as("%s: %s", scopes, reply).isEqualTo(200);
            assertThat(reply.json().get("id").asText()).isEqualTo(id);
        }
    }

    @Test
    void aProducerCanWaitForTheOutcomeOfWhatItSent() {
        String queue = newQueue();
        String producer = server.token("send:" + queue);
        String id = server.post("/api/v1/queues/" + queue + "/messages", producer, "{\"payload\":1}").json().get("id").asText();
        String lease = server.receiveOne(queue).get("leaseId").asText();
        assertThat(server.post("/api/v1/messages/" + id + "/ack", server.admin, "{\"leaseId\":\"" + lease + "\"}").status()).isEqualTo(200);

        Reply outcome = server.get("/api/v1/messages/" + id + "?waitSeconds=5", producer);

        assertThat(outcome.status()).as("%s", outcome).isEqualTo(200);
        assertThat(outcome.json().get("state").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void aConsumerCanReadTheMessageItHandled() {
        String queue = newQueue();
        String consumer = server.token("receive:" + queue);
        String id = server.send(queue, "{}");
        JsonNode leased = server.post("/api/v1/queues/" + queue + "/receive", consumer, "{}").json().get("messages").get(0);
        assertThat(server.post("/api/v1/messages/" + id + "/ack", consumer,
                "{\"leaseId\":\"" + leased.get("leaseId").asText() + "\"}").status()).isEqualTo(200);

        Reply handled = server.get("/api/v1/messages/" + id, consumer);

        assertThat(handled.status()).as("%s", handled).isEqualTo(200);
        assertThat(handled.json().get("state").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void aMessageInAQueueTheTokenCannotSeeIs404LikeAnUnknownId() {
        String id = newMessage();

        for (List<String> scopes : List.of(List.of("send:other-*"), List.of("receive:other-*"), List.of("send:other-*", "receive:other-*"))) {
            String token = token(scopes);
            JsonNode hidden = assertProblem(server.get("/api/v1/messages/" + id, token), 404);
            JsonNode unknown = assertProblem(server.get("/api/v1/messages/" + MessageRoutesTest.UNKNOWN_ID, token), 404);
            assertThat(hidden.get("type")).as("%s", scopes).isEqualTo(unknown.get("type"));
            assertThat(hidden.get("title")).as("%s", scopes).isEqualTo(unknown.get("title"));
            assertThat(hidden.get("detail").asText()).as("%s", scopes)
                    .isEqualTo(unknown.get("detail").asText().replace(MessageRoutesTest.UNKNOWN_ID, id));
            assertProblem(server.get("/api/v1/messages/" + id + "?waitSeconds=5", token), 404);
        }
    }

    @Test
    void anUnknownRouteUnderApiNeedsATokenBeforeItIs404() {
        assertProblem(server.get("/api/v1/no-such-thing", null), 401);
        assertProblem(server.get("/api/v1/no-such-thing", server.admin), 404);
    }
}
