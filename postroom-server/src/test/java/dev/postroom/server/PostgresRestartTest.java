package dev.postroom.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PostgreSQL restarts ({@code pg_ctl restart -m fast}) while three {@code postroom server --store
 * postgres} nodes are under load: every node recovers by itself, serving sends and answering
 * {@code /health/ready} within 10 s of the restart, and no acknowledged message is lost. Sends and
 * acks refused during the outage are answered 503 (never a success that was not committed); an ack
 * refused so is redelivered once its lease expires, which at-least-once allows.
 *
 * <p>The nodes run the demo's handlers ({@code --demo}), so each node's dispatchers are under load
 * too, and the test checks that every node's dispatcher handles messages sent after the restart.
 * It restarts a PostgreSQL cluster of its own ({@link PostgresTestCluster}), never the one other
 * test classes share; without PostgreSQL installed it is skipped with a warning, or fails when
 * {@code POSTROOM_CI=1}.
 */
class PostgresRestartTest {
    private static final Logger log = LoggerFactory.getLogger(PostgresRestartTest.class);
    private static final String TOKEN = "pr_restart_test_token_0123456789";
    private static final String QUEUE = "invoices";
    /** A queue of the demo's, which each node handles in-process with its own dispatcher. */
    private static final String HANDLED_QUEUE = "emails.announce";
    private static final List<String> NODES = List.of("node-a", "node-b", "node-c");
    /** Short, so that a message whose ack was refused during the outage comes back soon. */
    private static final String CONSUMER_RECEIVE = "{\"max\":5,\"waitSeconds\":1,\"leaseSeconds\":3}";
    /** Each sender's pace: enough load to be mid-flight at the restart, few enough messages to check one by one. */
    private static final long SEND_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private static PostgresTestCluster cluster;

    private final ObjectMapper mapper = new ObjectMapper();
    private final List<ServerProcess> servers = new ArrayList<>();
    private final BackgroundWork load = new BackgroundWork();
    private final AtomicBoolean stopSending = new AtomicBoolean();

    /** Ids of the sends answered 201: acknowledged, so never to be lost. */
    private final List<String> sent = new CopyOnWriteArrayList<>();
    /** Per node, how many of its sends were answered 201. */
    private final Map<String, AtomicInteger> sentThrough = new ConcurrentHashMap<>();
    /** Per node, how many of its acks were answered 200. */
    private final Map<String, AtomicInteger> ackedThrough = new ConcurrentHashMap<>();
    /** Requests answered 503 while the database was away (sends, receives and acks). */
    private final AtomicInteger refused = new AtomicInteger();
    /** Acks answered 409: the lease had expired meanwhile and the message was (or will be) delivered again. */
    private final AtomicInteger staleAcks = new AtomicInteger();

    @TempDir
    Path dir;

    @BeforeAll
    static void startPrivateCluster() throws Exception {
        cluster = PostgresTestCluster.start();
    }

    @AfterAll
    static void stopPrivateCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Stops the load and the nodes, and keeps each node's log in {@code target/} for a failure's post-mortem. */
    @AfterEach
    void stopNodes() throws Exception {
        load.close();
        for (int i = 0; i < servers.size(); i++) {
            servers.get(i).close();
            Files.write(Path.of("target", "PostgresRestartTest-" + NODES.get(i) + ".log"), servers.get(i).output());
        }
    }

    @Test
    void everyNodeRecoversByItselfFromAPostgresRestartWithoutLosingAnAcknowledgedMessage() throws Exception {
        String schema = TestDatabase.newSchemaName();
        for (String node : NODES) {
            servers.add(ServerProcess.postgresNode(TOKEN, cluster.url(), schema, dir.resolve(node), node, "--demo", "--demo-rate", "5"));
        }
        for (ServerProcess server : servers) {
            server.awaitListening();
        }
        HttpResponse<String> created = servers.getFirst().call("PUT", "/api/v1/queues/" + QUEUE,
                "{\"maxAttempts\":50,\"backoff\":{\"initialSeconds\":0.1,\"maxSeconds\":0.5}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

        for (int i = 0; i < NODES.size(); i++) {
            String node = NODES.get(i);
            ServerProcess server = servers.get(i);
            sentThrough.put(node, new AtomicInteger());
            ackedThrough.put(node, new AtomicInteger());
            load.start("sender-" + node, () -> sendUntilStopped(node, server));
            load.start("consumer-" + node, () -> consumeUntilStopped(node, server));
        }
        // Generous bounds wherever the requirement sets none: a busy machine slows everything down.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            load.assertNoFailure();
            for (String node : NODES) {
                assertThat(ackedThrough.get(node).get()).as("acks through %s before the restart", node).isGreaterThanOrEqualTo(10);
            }
        });
        Map<String, Integer> logLinesBefore = new ConcurrentHashMap<>();
        for (int i = 0; i < NODES.size(); i++) {
            logLinesBefore.put(NODES.get(i), servers.get(i).output().size());
        }

        cluster.restart();
        long restarted = System.nanoTime();

        // The requirement: every node serves again by itself within 10 s, with no help from outside.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            for (int i = 0; i < NODES.size(); i++) {
                ServerProcess server = servers.get(i);
                HttpResponse<String> ready = server.call("GET", "/health/ready", null);
                assertThat(ready.statusCode()).as("%s /health/ready: %s", NODES.get(i), ready.body()).isEqualTo(200);
                HttpResponse<String> send = server.call("POST", "/api/v1/queues/" + QUEUE + "/messages", "{\"payload\":{\"probe\":true}}");
                assertThat(send.statusCode()).as("%s send: %s", NODES.get(i), send.body()).isEqualTo(201);
                sent.add(mapper.readTree(send.body()).path("id").asText());
            }
        });
        long recoveredMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted);

        // Each node's listener noticed the dropped connection and listens again (wake-ups work).
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (int i = 0; i < NODES.size(); i++) {
                assertThat(linesSince(servers.get(i), logLinesBefore.get(NODES.get(i))).stream()
                        .anyMatch(l -> l.contains("notification listener reconnected")))
                        .as("%s logged that its notification listener reconnected", NODES.get(i)).isTrue();
            }
        });

        // The load flows again through every node, then stops.
        Map<String, Integer> sentAtRecovery = new ConcurrentHashMap<>();
        sentThrough.forEach((node, count) -> sentAtRecovery.put(node, count.get()));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            load.assertNoFailure();
            for (String node : NODES) {
                assertThat(sentThrough.get(node).get()).as("sends through %s after the restart", node)
                        .isGreaterThanOrEqualTo(sentAtRecovery.get(node) + 10);
            }
        });
        stopSending.set(true);

        // No stuck dispatcher: every node's own handlers take messages sent after the restart.
        assertEveryNodesDispatcherHandlesNewMessages();

        // No acknowledged send is lost: each one is (eventually) acked, whatever the outage did to its first delivery.
        Set<String> succeeded = ConcurrentHashMap.newKeySet();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            load.assertNoFailure();
            List<String> unfinished = new ArrayList<>();
            for (String id : sent) {
                if (succeeded.contains(id)) {
                    continue;
                }
                String state = message(servers.get(1), id).path("state").asText();
                assertThat(state).as("state of %s", id).isIn("READY", "IN_FLIGHT", "SCHEDULED", "SUCCEEDED");
                if (state.equals("SUCCEEDED")) {
                    succeeded.add(id);
                } else {
                    unfinished.add(id);
                }
            }
            assertThat(unfinished).as("acknowledged sends not yet SUCCEEDED").isEmpty();
        });

        for (int i = 0; i < NODES.size(); i++) {
            List<String> broken = servers.get(i).output().stream()
                    .filter(l -> l.contains("Exception in thread") || l.contains("dispatcher error")).toList();
            assertThat(broken).as("%s's log lines of a thread that died or a dispatcher error", NODES.get(i)).isEmpty();
        }
        log.info("sent={} acked through a={} b={} c={}, refused with 503={}, stale acks={},"
                        + " every node ready and sending {} ms after the restart", sent.size(), ackedThrough.get("node-a").get(),
                ackedThrough.get("node-b").get(), ackedThrough.get("node-c").get(), refused.get(), staleAcks.get(), recoveredMillis);
    }

    /**
     * Sends announcements (one through each node per round) until each node's dispatcher has leased
     * and completed one of them: a node whose dispatcher died never appears in a timeline.
     */
    private void assertEveryNodesDispatcherHandlesNewMessages() {
        List<String> announced = new CopyOnWriteArrayList<>();
        Set<String> handledBy = ConcurrentHashMap.newKeySet();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            for (ServerProcess server : servers) {
                HttpResponse<String> send = server.call("POST", "/api/v1/queues/" + HANDLED_QUEUE + "/messages",
                        "{\"payload\":{\"audience\":\"after-restart\",\"subject\":\"still here\"}}");
                assertThat(send.statusCode()).as(send.body()).isEqualTo(201);
                announced.add(mapper.readTree(send.body()).path("id").asText());
            }
            for (String id : announced) {
                JsonNode message = message(servers.getFirst(), id);
                if (message.path("state").asText().equals("SUCCEEDED")) {
                    String node = null;
                    for (JsonNode entry : message.path("timeline")) {
                        if (entry.path("state").asText().equals("IN_FLIGHT")) {
                            node = entry.path("node").asText();
                        }
                    }
                    handledBy.add(node);
                }
            }
            assertThat(handledBy).as("nodes whose handlers completed a message sent after the restart").containsAll(NODES);
        });
    }

    /** Sends through one node at a steady pace; a 503 (the database is away) is not an acknowledgement. */
    private void sendUntilStopped(String node, ServerProcess server) throws Exception {
        long next = System.nanoTime();
        for (int n = 0; !stopSending.get() && !load.stopping(); n++) {
            HttpResponse<String> response = server.call("POST", "/api/v1/queues/" + QUEUE + "/messages",
                    "{\"payload\":{\"node\":\"" + node + "\",\"n\":" + n + "}}");
            if (response.statusCode() == 201) {
                sent.add(mapper.readTree(response.body()).path("id").asText());
                sentThrough.get(node).incrementAndGet();
            } else {
                assertThat(response.statusCode()).as("send through %s: %s", node, response.body()).isEqualTo(503);
                refused.incrementAndGet();
            }
            next += SEND_EVERY_NANOS;
            LockSupport.parkNanos(next - System.nanoTime());
        }
    }

    /** Receives and acks through one node until the test ends; a refused ack leaves the message to be delivered again. */
    private void consumeUntilStopped(String node, ServerProcess server) throws Exception {
        while (!load.stopping()) {
            HttpResponse<String> received = server.call("POST", "/api/v1/queues/" + QUEUE + "/receive", CONSUMER_RECEIVE);
            if (received.statusCode() != 200) {
                assertThat(received.statusCode()).as("receive through %s: %s", node, received.body()).isEqualTo(503);
                refused.incrementAndGet();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // the database is away: do not spin
                continue;
            }
            for (JsonNode m : mapper.readTree(received.body()).path("messages")) {
                HttpResponse<String> ack = server.call("POST", "/api/v1/messages/" + m.path("id").asText() + "/ack",
                        "{\"leaseId\":\"" + m.path("leaseId").asText() + "\"}");
                switch (ack.statusCode()) {
                    case 200 -> ackedThrough.get(node).incrementAndGet();
                    case 409 -> staleAcks.incrementAndGet();
                    case 503 -> refused.incrementAndGet();
                    default -> throw new AssertionError("ack through " + node + ": " + ack.statusCode() + " " + ack.body());
                }
            }
        }
    }

    private JsonNode message(ServerProcess server, String id) throws Exception {
        HttpResponse<String> got = server.call("GET", "/api/v1/messages/" + id, null);
        assertThat(got.statusCode()).as("GET %s: %s", id, got.body()).isEqualTo(200);
        return mapper.readTree(got.body());
    }

    private static List<String> linesSince(ServerProcess server, int index) {
        List<String> lines = server.output();
        return lines.subList(Math.min(index, lines.size()), lines.size());
    }
}
