package dev.postroom.server.http;

import dev.postroom.server.auth.NewToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.postroom.server.http.TestServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static dev.postroom.server.http.TestServer.assertProblem;
import static dev.postroom.server.http.TestServer.uniqueQueue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What waits or streams: long-poll receive, waiting for a final state, server-sent events; and health and metrics. */
class LiveRoutesTest {
    @RegisterExtension
    static final TestServer server = new TestServer();

    private static String queue(String prefix) {
        String queue = uniqueQueue(prefix);
        server.createQueue(queue);
        return queue;
    }

    // ---------------------------------------------------------------- long polls

    @Test
    void anEventStreamEndsOnceItsTokenIsRevoked() throws Exception {
        NewToken reader = server.newToken("read");
        java.net.http.HttpResponse<java.io.InputStream> stream = server.http().send(
                server.request("GET", "/api/v1/events", reader.secret(), null).build(), java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        CompletableFuture<Void> ended = CompletableFuture.runAsync(() -> {
            try (java.io.InputStream in = stream.body()) {
                in.transferTo(java.io.OutputStream.nullOutputStream()); // returns when the server ends the stream
            } catch (java.io.IOException e) {
                // ended as well
            }
        });
        server.send(queue("events-revoked"), "{}");
        assertThat(ended).as("the stream is open while the token is valid").isNotDone();

        server.revoke(reader.token().id());

        ended.get(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void longPollReceiveReturnsAMessageSentDuringTheWait() {
        String queue = queue("long-poll");
        CompletableFuture<Reply> waiting = server.callAsync("POST", "/api/v1/queues/" + queue + "/receive", server.admin,
                "{\"waitSeconds\":20}");
        assertThat(waiting).as("nothing to receive yet").isNotDone();

        String id = server.send(queue, "{\"n\":1}");

        Reply reply = TestServer.join(waiting);
        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.json().get("messages")).hasSize(1);
        assertThat(reply.json().get("messages").get(0).get("id").asText()).isEqualTo(id);
    }

    @Test
    void longPollReceiveAnswersAnEmptyListWhenTheWaitEnds() {
        String queue = queue("long-poll-empty");

        Reply reply = server.post("/api/v1/queues/" + queue + "/receive", server.admin, "{\"waitSeconds\":0.2}");

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.json().get("messages")).isEmpty();
    }

    @Test
    void getWithWaitSecondsReturnsOnceTheMessageIsAcked() {
        String queue = queue("await-final");
        String id = server.send(queue, "{}");
        String lease = server.receiveOne(queue).get("leaseId").asText();
        CompletableFuture<Reply> waiting = server.callAsync("GET", "/api/v1/messages/" + id + "?waitSeconds=20", server.admin,
                (byte[]) null);
        assertThat(waiting).as("the message is still in flight").isNotDone();

        Reply acked = server.post("/api/v1/messages/" + id + "/ack", server.admin, "{\"leaseId\":\"" + lease + "\",\"result\":42}");
        assertThat(acked.status()).as("%s", acked).isEqualTo(200);

        Reply reply = TestServer.join(waiting);
        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.json().get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(reply.json().get("result").asInt()).isEqualTo(42);
    }

    @Test
    void getWithWaitSecondsAnswersTheMessageAsItIsWhenTheWaitEnds() {
        String id = server.send(queue("await-timeout"), "{}");

        Reply reply = server.get("/api/v1/messages/" + id + "?waitSeconds=0.2", server.admin);

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.json().get("state").asText()).isEqualTo("READY");
    }

    // ---------------------------------------------------------------- events

    /** One server-sent event: its name and data. */
    private record Event(String name, String data) {
    }

    private static List<Event> events(List<String> lines) {
        List<Event> events = new ArrayList<>();
        String name = "message";
        StringBuilder data = new StringBuilder();
        for (String line : lines) {
            if (line.isEmpty()) {
                if (!data.isEmpty()) {
                    events.add(new Event(name, data.toString()));
                }
                name = "message";
                data.setLength(0);
            } else if (line.startsWith("event:")) {
                name = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                data.append(data.isEmpty() ? "" : "\n").append(line.substring(5).trim());
            }
        }
        return events;
    }

    @Test
    void eventStreamDeliversAMessageEventAfterASend() throws Exception {
        String queue = queue("events");
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/v1/events"))
                .header("Authorization", "Bearer " + server.token("read")).header("Accept", "text/event-stream").build();
        HttpResponse<Stream<String>> response = server.http().sendAsync(request, HttpResponse.BodyHandlers.ofLines()).get();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (Stream<String> body = response.body()) {
                body.forEach(lines::add);
            } catch (RuntimeException closed) {
                // the test is over and closed the stream
            }
        });
        try {
            // a new client gets every queue's counts first: once they arrive it is registered for message events
            await().untilAsserted(() -> assertThat(events(lines)).anyMatch(e -> e.name().equals("queue")));

            String id = server.send(queue, "{}");

            await().untilAsserted(() -> assertThat(events(lines)).anyMatch(e -> e.name().equals("message") && e.data().contains(id)));
            JsonNode event = events(lines).stream().filter(e -> e.name().equals("message") && e.data().contains(id))
                    .map(e -> new Reply(200, "application/json", e.data()).json()).findFirst().orElseThrow();
            assertThat(event.get("id").asText()).isEqualTo(id);
            assertThat(event.get("queue").asText()).isEqualTo(queue);
            assertThat(event.get("state").asText()).isEqualTo("READY");
        } finally {
            reader.interrupt();
            response.body().close();
        }
    }

    @Test
    void queueEventsCarryRatesAndTheOldestReadyAge() throws Exception {
        String queue = queue("event-rates");
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/v1/events"))
                .header("Authorization", "Bearer " + server.token("read")).header("Accept", "text/event-stream").build();
        HttpResponse<Stream<String>> response = server.http().sendAsync(request, HttpResponse.BodyHandlers.ofLines()).get();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (Stream<String> body = response.body()) {
                body.forEach(lines::add);
            } catch (RuntimeException closed) {
                // the test is over and closed the stream
            }
        });
        try {
            for (int i = 0; i < 3; i++) {
                server.send(queue, "{}");
            }
            JsonNode leased = server.receiveOne(queue);
            assertThat(server.post("/api/v1/messages/" + leased.get("id").asText() + "/ack", server.admin,
                    "{\"leaseId\":\"" + leased.get("leaseId").asText() + "\"}").status()).isEqualTo(200);

            // The rates cover the last complete seconds, so the sends show within a couple of seconds.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(queueEvents(lines, queue))
                    .anySatisfy(event -> {
                        assertThat(event.get("rates").get("sent").asDouble()).isEqualTo(3 / 5.0);
                        assertThat(event.get("rates").get("acked").asDouble()).isEqualTo(1 / 5.0);
                        assertThat(event.get("rates").get("failed").asDouble()).isZero();
                        assertThat(event.get("oldestReadyAgeSeconds").asDouble()).as("two messages wait").isPositive();
                        assertThat(event.get("counts").get("ready").asInt()).isEqualTo(2);
                    }));
        } finally {
            reader.interrupt();
            response.body().close();
        }
    }

    private static List<JsonNode> queueEvents(List<String> lines, String queue) {
        return events(lines).stream().filter(e -> e.name().equals("queue"))
                .map(e -> new Reply(200, "application/json", e.data()).json())
                .filter(json -> json.get("queue").asText().equals(queue)).toList();
    }

    @Test
    void eventStreamRequestNotAcceptingEventStreamIs406() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/v1/events"))
                .header("Authorization", "Bearer " + server.token("read")).header("Accept", "application/json").build();

        HttpResponse<String> response = server.http().send(request, HttpResponse.BodyHandlers.ofString());

        assertProblem(new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body()), 406);
    }

    // ---------------------------------------------------------------- health and metrics

    @Test
    void healthLiveNeedsNoTokenAndSaysUp() {
        Reply reply = server.get("/health/live", null);

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.contentType()).startsWith("application/json");
        assertThat(reply.json()).isEqualTo(TestServer.JSON.createObjectNode().put("status", "UP"));
    }

    @Test
    void healthReadyNeedsNoTokenAndSaysUpWhileTheStoreAnswers() {
        Reply reply = server.get("/health/ready", null);

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.json()).isEqualTo(TestServer.JSON.createObjectNode().put("status", "UP"));
    }

    @Test
    void healthIgnoresABadTokenAndRevealsNothing() {
        Reply reply = server.get("/health/ready", "not-a-token");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).doesNotContain(server.dir().toString()).doesNotContain(server.admin);
    }

    @Test
    void metricsNeedATokenWithReadScope() {
        assertProblem(server.get("/metrics", null), 401);
        assertProblem(server.get("/metrics", server.token("send:*")), 403);
        assertThat(server.get("/metrics", server.token("read")).status()).isEqualTo(200);
    }

    @Test
    void metricsCountSentAndAckedMessagesPerQueue() {
        String queue = queue("metered");
        server.send(queue, "{}");
        server.send(queue, "{}");
        JsonNode leased = server.receiveOne(queue);
        String lease = leased.get("leaseId").asText();
        assertThat(server.post("/api/v1/messages/" + leased.get("id").asText() + "/ack", server.admin, "{\"leaseId\":\"" + lease + "\"}").status()).isEqualTo(200);
        String read = server.token("read");

        await().untilAsserted(() -> {
            Reply reply = server.get("/metrics", read);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.contentType()).startsWith("text/plain");
            assertThat(reply.body()).contains("# TYPE postroom_messages_sent_total counter")
                    .contains("postroom_messages_sent_total{queue=\"" + queue + "\"} 2.0")
                    .contains("postroom_messages_acked_total{queue=\"" + queue + "\"} 1.0")
                    .contains("postroom_messages{queue=\"" + queue + "\",state=\"ready\"} 1.0")
                    .contains("# TYPE postroom_queue_oldest_ready_age_seconds gauge");
            assertThat(gauge(reply.body(), "postroom_queue_oldest_ready_age_seconds{queue=\"" + queue + "\"}"))
                    .as("the unleased message has waited").isPositive();
        });
    }

    @Test
    void oldestReadyAgeGaugeIsZeroWhenEveryMessageIsLeased() {
        String queue = queue("all-leased");
        server.send(queue, "{}");
        server.receiveOne(queue);
        String read = server.token("read");

        await().untilAsserted(() -> assertThat(gauge(server.get("/metrics", read).body(),
                "postroom_queue_oldest_ready_age_seconds{queue=\"" + queue + "\"}")).isZero());
    }

    /** The value of one sample line of a Prometheus scrape; fails when there is none. */
    private static double gauge(String scrape, String sample) {
        return scrape.lines().filter(line -> line.startsWith(sample + " ")).findFirst()
                .map(line -> Double.parseDouble(line.substring(sample.length() + 1).trim()))
                .orElseThrow(() -> new AssertionError("no sample " + sample + " in\n" + scrape));
    }

    @Test
    void metricsCountAFailedAttemptAsANackButAnOperatorRetryNot() {
        String queue = uniqueQueue("nacked");
        server.createQueue(queue, "{\"maxAttempts\":1}");
        String id = server.send(queue, "{}");
        JsonNode leased = server.receiveOne(queue);
        assertThat(server.post("/api/v1/messages/" + id + "/nack", server.admin,
                "{\"leaseId\":\"" + leased.get("leaseId").asText() + "\",\"error\":{\"message\":\"boom\"}}").status()).isEqualTo(200);
        assertThat(server.post("/api/v1/messages/" + id + "/retry", server.admin, "{}").status()).isEqualTo(200);
        String read = server.token("read");

        await().untilAsserted(() -> assertThat(server.get("/metrics", read).body())
                .contains("postroom_messages_nacked_total{queue=\"" + queue + "\"} 1.0")
                .contains("postroom_messages_dead_total{queue=\"" + queue + "\"} 1.0"));
    }
}
