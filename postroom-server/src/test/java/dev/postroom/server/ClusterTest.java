package dev.postroom.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three {@code postroom server --store postgres} processes on one schema, sharing nothing but the
 * database: messages sent through node A are received through B and C, and when C is killed with
 * SIGKILL while it holds leases, every message whose send was acknowledged still succeeds (through A
 * or B, once C's leases expire). Only the messages C held at the kill are received twice. Needs
 * {@code POSTROOM_TEST_PG_URL}, like {@link PostgresServerTest}.
 */
class ClusterTest {
    private static final Logger log = LoggerFactory.getLogger(ClusterTest.class);
    private static final String TOKEN = "pr_cluster_test_token_0123456789";
    private static final String QUEUE = "invoices";
    /** The queue's lease, which C's held messages get; the acking consumers ask for a longer one. */
    private static final int QUEUE_LEASE_SECONDS = 2;
    private static final String CONSUMER_RECEIVE = "{\"max\":5,\"waitSeconds\":1,\"leaseSeconds\":30}";

    private final ObjectMapper mapper = new ObjectMapper();
    private final List<ServerProcess> servers = new ArrayList<>();
    private final BackgroundWork load = new BackgroundWork();
    private String schema;

    /** Sends acknowledged with 201, in order. */
    private final List<String> sent = new CopyOnWriteArrayList<>();
    /** Every receive of every message, by node name (a message is listed once per receive). */
    private final Map<String, List<String>> receivedBy = new ConcurrentHashMap<>();
    /** Message id to the node whose ack of it was acknowledged. */
    private final Map<String, String> ackedBy = new ConcurrentHashMap<>();

    @TempDir
    Path dir;

    @AfterEach
    void stopEverything() throws Exception {
        load.close();
        for (ServerProcess server : servers) {
            server.close();
        }
        if (schema != null) {
            TestDatabase.dropSchema(schema);
        }
    }

    @Test
    void threeNodesShareTheQueueAndAKilledNodesLeasesAreTakenOverWithoutLosingAMessage() throws Exception {
        String url = TestDatabase.url();
        schema = TestDatabase.newSchemaName();
        for (String node : List.of("a", "b", "c")) {
            servers.add(ServerProcess.postgresNode(TOKEN, url, schema, dir.resolve(node), "node-" + node));
        }
        for (ServerProcess server : servers) {
            server.awaitListening();
        }
        ServerProcess a = servers.get(0);
        ServerProcess b = servers.get(1);
        ServerProcess c = servers.get(2);

        // Every node registers itself in the shared node registry, under the name it was given.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(registeredNodes(url)).containsAllEntriesOf(Map.of(
                "node-a", a.process().pid(), "node-b", b.process().pid(), "node-c", c.process().pid())));

        HttpResponse<String> created = a.call("PUT", "/api/v1/queues/" + QUEUE, "{\"leaseSeconds\":" + QUEUE_LEASE_SECONDS
                + ",\"maxAttempts\":20,\"backoff\":{\"initialSeconds\":0.1,\"maxSeconds\":0.5}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

        AtomicBoolean stopC = new AtomicBoolean();
        AtomicBoolean stopProducer = new AtomicBoolean();
        load.start("consumer-a", () -> consume("a", a, new AtomicBoolean()));
        load.start("consumer-b", () -> consume("b", b, new AtomicBoolean()));
        Thread consumerC = load.start("consumer-c", () -> consume("c", c, stopC));
        Thread producer = load.start("producer", () -> {
            for (int n = 0; n < 600 && !stopProducer.get() && !load.stopping(); n++) {
                send(a, n);
            }
        });

        // Sent through A, received through every node.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            load.assertNoFailure();
            assertThat(receivedBy.getOrDefault("b", List.of())).as("received through B").isNotEmpty();
            assertThat(receivedBy.getOrDefault("c", List.of())).as("received through C").isNotEmpty();
        });

        // C stops acking, then takes a batch it never settles, and is killed while it holds it.
        stopC.set(true);
        consumerC.join(Duration.ofSeconds(10));
        assertThat(consumerC.isAlive()).as("C's consumer stopped").isFalse();
        List<String> heldByC = new CopyOnWriteArrayList<>();
        AtomicInteger extra = new AtomicInteger(10_000);
        await().atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO).until(() -> {
            load.assertNoFailure();
            if (!producer.isAlive()) {
                send(a, extra.getAndIncrement()); // the producer is done: give C something to hold
            }
            JsonNode batch = received(c.call("POST", "/api/v1/queues/" + QUEUE + "/receive", "{\"max\":10,\"waitSeconds\":1}"));
            for (JsonNode m : batch) {
                heldByC.add(m.path("id").asText());
                receivedBy.computeIfAbsent("c", k -> new CopyOnWriteArrayList<>()).add(m.path("id").asText());
            }
            return !heldByC.isEmpty();
        });
        c.process().destroyForcibly(); // SIGKILL on Linux
        assertThat(c.process().waitFor(30, TimeUnit.SECONDS)).as("C gone after SIGKILL").isTrue();
        assertThat(c.process().exitValue()).as("C's exit status (128 + SIGKILL)").isEqualTo(137);

        // Load goes on through A and B after the kill.
        int sentAtKill = sent.size();
        await().atMost(Duration.ofSeconds(20)).until(() -> !producer.isAlive() || sent.size() >= sentAtKill + 50);
        stopProducer.set(true);
        producer.join(Duration.ofSeconds(10));
        assertThat(producer.isAlive()).as("producer stopped").isFalse();

        // Every acknowledged send is acked through A or B, C's held messages once their leases expired.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            load.assertNoFailure();
            assertThat(ackedBy.keySet()).as("acked messages").containsAll(sent);
        });
        assertThat(heldByC).allSatisfy(id -> assertThat(ackedBy.get(id)).as("node that acked %s, held by C", id).isIn("a", "b"));

        JsonNode counts = mapper.readTree(a.call("GET", "/api/v1/queues/" + QUEUE, null).body()).path("counts");
        assertThat(counts.path("succeeded").asLong()).as("SUCCEEDED in %s", counts).isEqualTo(sent.size());
        assertThat(counts.path("ready").asLong() + counts.path("inFlight").asLong() + counts.path("dead").asLong()
                + counts.path("scheduled").asLong() + counts.path("cancelled").asLong()).as("unfinished in %s", counts).isZero();
        for (String id : heldByC) {
            JsonNode message = mapper.readTree(b.call("GET", "/api/v1/messages/" + id, null).body());
            assertThat(message.path("state").asText()).as("state of %s, held by C", id).isEqualTo("SUCCEEDED");
        }

        // Only the messages C held at the kill were received more than once.
        Map<String, Integer> receives = new ConcurrentHashMap<>();
        receivedBy.values().forEach(ids -> ids.forEach(id -> receives.merge(id, 1, Integer::sum)));
        Set<String> repeated = new HashSet<>();
        receives.forEach((id, times) -> {
            if (times > 1) {
                repeated.add(id);
            }
        });
        assertThat(repeated).as("messages received more than once").isSubsetOf(heldByC);
        assertThat(receives.keySet()).as("received messages").containsExactlyInAnyOrderElementsOf(sent);
        log.info("sent={} received through a={} b={} c={}, held by C at the kill={}, repeated={}",
                sent.size(), receivedBy.getOrDefault("a", List.of()).size(), receivedBy.getOrDefault("b", List.of()).size(),
                receivedBy.getOrDefault("c", List.of()).size(), heldByC.size(), repeated.size());
    }

    // ---------------------------------------------------------------- helpers

    private void send(ServerProcess node, int n) throws Exception {
        HttpResponse<String> response = node.call("POST", "/api/v1/queues/" + QUEUE + "/messages", "{\"payload\":{\"n\":" + n + "}}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        sent.add(mapper.readTree(response.body()).path("id").asText());
    }

    /** Receives and acks through one node until told to stop; finishes the batch in hand first. */
    private void consume(String name, ServerProcess node, AtomicBoolean stop) throws Exception {
        while (!stop.get() && !load.stopping()) {
            JsonNode batch = received(node.call("POST", "/api/v1/queues/" + QUEUE + "/receive", CONSUMER_RECEIVE));
            for (JsonNode m : batch) {
                String id = m.path("id").asText();
                receivedBy.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>()).add(id);
                HttpResponse<String> ack = node.call("POST", "/api/v1/messages/" + id + "/ack",
                        "{\"leaseId\":\"" + m.path("leaseId").asText() + "\"}");
                assertThat(ack.statusCode()).as("ack of %s through %s: %s", id, name, ack.body()).isBetween(200, 299);
                assertThat(ackedBy.putIfAbsent(id, name)).as("earlier ack of %s", id).isNull();
            }
        }
    }

    private JsonNode received(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return mapper.readTree(response.body()).path("messages");
    }

    /** Node name to pid, as the shared registry holds them. */
    private Map<String, Long> registeredNodes(String url) throws Exception {
        Map<String, Long> nodes = new HashMap<>();
        try (Connection conn = DriverManager.getConnection(url); Statement s = conn.createStatement();
             ResultSet rows = s.executeQuery("SELECT name, pid FROM " + schema + ".nodes")) {
            while (rows.next()) {
                nodes.put(rows.getString(1), rows.getLong(2));
            }
        }
        return nodes;
    }
}
