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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Ordering keys and a queue's concurrency limit hold across three {@code postroom server --store
 * postgres} processes under load: keyed messages are sent through every node, and two consumers
 * per node receive and ack them as fast as they can.
 * <ul>
 *   <li>FIFO per key: message {@code n} of a key is never received before the ack of message
 *       {@code n - 1} was sent, whichever nodes they went through.</li>
 *   <li>Concurrency: the messages held at once, counted from each receive's answer to its ack's
 *       request (inside the server's own lease interval), never exceed the queue's limit.</li>
 * </ul>
 * Needs {@code POSTROOM_TEST_PG_URL}, like {@link ClusterTest}.
 */
class ClusterLimitsTest {
    private static final Logger log = LoggerFactory.getLogger(ClusterLimitsTest.class);
    private static final String TOKEN = "pr_cluster_limits_token_0123456789";
    private static final String QUEUE = "ledger";
    private static final int CONCURRENCY = 3;
    private static final int KEYS = 8;
    private static final int PER_KEY = 25;

    private final ObjectMapper mapper = new ObjectMapper();
    private final List<ServerProcess> servers = new ArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** Per key, the highest sequence number whose ack request has been sent. */
    private final Map<String, Integer> ackSent = new ConcurrentHashMap<>();
    private final Set<String> acked = ConcurrentHashMap.newKeySet();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicInteger mostHeld = new AtomicInteger();
    private String schema;

    @TempDir
    Path dir;

    @AfterEach
    void stopEverything() throws Exception {
        stop.set(true);
        for (Thread thread : threads) {
            thread.join(Duration.ofSeconds(10));
        }
        for (ServerProcess server : servers) {
            server.close();
        }
        if (schema != null) {
            TestDatabase.dropSchema(schema);
        }
    }

    @Test
    void orderingKeysAndTheConcurrencyLimitHoldAcrossNodesUnderLoad() throws Exception {
        String url = TestDatabase.url();
        schema = TestDatabase.newSchemaName();
        for (String node : List.of("a", "b", "c")) {
            servers.add(ServerProcess.start(TOKEN, "--store", "postgres", "--db-url", url, "--db-schema", schema,
                    "--db-pool-size", "4", "--data", dir.resolve(node).toString(), "--shutdown-seconds", "5", "--node", "node-" + node));
        }
        for (ServerProcess server : servers) {
            server.awaitListening();
        }
        HttpResponse<String> created = servers.getFirst().call("PUT", "/api/v1/queues/" + QUEUE,
                "{\"concurrency\":" + CONCURRENCY + ",\"leaseSeconds\":60}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

        // Each key's messages go through the nodes in turn, so consecutive ones are stored by different nodes.
        for (int k = 0; k < KEYS; k++) {
            String key = "account-" + k;
            background("producer-" + k, () -> {
                for (int n = 0; n < PER_KEY; n++) {
                    ServerProcess node = servers.get(n % servers.size());
                    HttpResponse<String> sent = node.call("POST", "/api/v1/queues/" + QUEUE + "/messages",
                            "{\"payload\":{\"key\":\"" + key + "\",\"n\":" + n + "},\"orderingKey\":\"" + key + "\"}");
                    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(201);
                }
            });
        }
        for (ServerProcess node : servers) {
            for (int i = 0; i < 2; i++) {
                background("consumer", () -> consume(node));
            }
        }

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            Throwable t = failure.get();
            if (t != null) {
                throw new AssertionError("a background thread failed", t);
            }
            assertThat(acked).hasSize(KEYS * PER_KEY);
        });
        assertThat(violations).as("messages received before the previous message of their key was acked").isEmpty();
        assertThat(mostHeld.get()).as("most messages held at once across the nodes").isLessThanOrEqualTo(CONCURRENCY);
        // The limit was reached, or the test would not show that it holds.
        assertThat(mostHeld.get()).as("most messages held at once across the nodes").isGreaterThan(1);
        JsonNode counts = mapper.readTree(servers.get(1).call("GET", "/api/v1/queues/" + QUEUE, null).body()).path("counts");
        assertThat(counts.path("succeeded").asLong()).as("%s", counts).isEqualTo(KEYS * PER_KEY);
        log.info("acked={} most held at once={} (limit {})", acked.size(), mostHeld.get(), CONCURRENCY);
    }

    private void consume(ServerProcess node) throws Exception {
        while (!stop.get()) {
            HttpResponse<String> response = node.call("POST", "/api/v1/queues/" + QUEUE + "/receive", "{\"max\":2,\"waitSeconds\":1}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode batch = mapper.readTree(response.body()).path("messages");
            if (batch.isEmpty()) {
                continue;
            }
            int now = held.addAndGet(batch.size());
            mostHeld.accumulateAndGet(now, Math::max);
            for (JsonNode m : batch) {
                String key = m.path("payload").path("key").asText();
                int n = m.path("payload").path("n").asInt();
                int previous = ackSent.getOrDefault(key, -1);
                if (previous != n - 1) {
                    violations.add(key + " #" + n + " received when the last ack sent was #" + previous);
                }
            }
            Thread.sleep(10); // holding them: the work a handler would do
            for (JsonNode m : batch) {
                String key = m.path("payload").path("key").asText();
                ackSent.put(key, m.path("payload").path("n").asInt());
                held.decrementAndGet();
                HttpResponse<String> ack = node.call("POST", "/api/v1/messages/" + m.path("id").asText() + "/ack",
                        "{\"leaseId\":\"" + m.path("leaseId").asText() + "\"}");
                assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
                acked.add(m.path("id").asText());
            }
        }
    }

    private interface Body {
        void run() throws Exception;
    }

    private void background(String name, Body body) {
        threads.add(Thread.ofPlatform().name(name).start(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }));
    }
}
