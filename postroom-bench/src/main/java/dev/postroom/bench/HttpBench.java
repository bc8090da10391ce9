package dev.postroom.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import dev.postroom.server.audit.AuditLog;
import dev.postroom.server.auth.AuthStore;
import dev.postroom.server.auth.Scope;
import dev.postroom.server.http.ApiServer;
import dev.postroom.store.sqlite.SqliteMessageStore;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP load: the server (API + embedded store) and a JDK HttpClient load generator with
 * {@code --connections} concurrent callers, in one process on one machine, so the client's CPU
 * counts against the server's. Runs: single sends, sends in batches of 100, and receive (up to 100
 * per call) + one ack call per message; p50/p99 of single-send calls.
 * Run: {@code java --enable-native-access=ALL-UNNAMED -cp postroom-bench/target/postroom-bench.jar dev.postroom.bench.HttpBench}.
 */
@Command(name = "http-bench", mixinStandardHelpOptions = true)
public final class HttpBench implements Runnable {
    @Option(names = "--connections", defaultValue = "8")
    int connections;
    @Option(names = "--singles", defaultValue = "20000")
    int singles;
    @Option(names = "--batched", defaultValue = "200000")
    int batched;
    @Option(names = "--dir", defaultValue = "target/bench")
    Path dir;

    private final ObjectMapper mapper = new ObjectMapper();
    private HttpClient client;
    private String base;
    private String auth;

    public static void main(String[] args) {
        System.exit(new CommandLine(new HttpBench()).execute(args));
    }

    @Override
    public void run() {
        try {
            Files.createDirectories(dir);
            Path data = Files.createTempDirectory(dir, "http");
            try (AuthStore authStore = AuthStore.open(data); AuditLog audit = AuditLog.open(data, InstantSource.system())) {
                String token = authStore.createToken("bench", List.of(Scope.parse("admin")), Instant.now()).secret();
                ApiServer api = new ApiServer(authStore, audit, InstantSource.system());
                try (Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(data.resolve("store")))
                        .listener(api.listener()).build()) {
                    postroom.createQueue("bench", QueuePolicy.DEFAULT);
                    api.start(postroom, "127.0.0.1", 0);
                    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                    base = "http://127.0.0.1:" + api.port() + "/api/v1";
                    auth = "Bearer " + token;
                    String payload = mapper.writeValueAsString(Workload.sample(1, 0));
                    singleSends(payload);
                    batchedSends(payload);
                    receiveAndAck();
                    api.close();
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void singleSends(String payload) throws Exception {
        String body = "{\"payload\":" + payload + "}";
        Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        double seconds = parallel(singles, n -> {
            long start = System.nanoTime();
            post("/queues/bench/messages", body, 201);
            long took = System.nanoTime() - start;
            synchronized (histogram) {
                histogram.recordValue(Math.min(took, histogram.getHighestTrackableValue()));
            }
        });
        System.out.printf("http single sends: %,d in %.2f s = %,.0f sends/s, p50 %.2f ms, p99 %.2f ms (%d connections)%n",
                singles, seconds, singles / seconds, histogram.getValueAtPercentile(50) / 1e6,
                histogram.getValueAtPercentile(99) / 1e6, connections);
    }

    private void batchedSends(String payload) throws Exception {
        StringBuilder batch = new StringBuilder("{\"messages\":[");
        for (int i = 0; i < 100; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"payload\":").append(payload).append('}');
        }
        String body = batch.append("]}").toString();
        int calls = batched / 100;
        double seconds = parallel(calls, n -> post("/queues/bench/messages:batch", body, 201));
        System.out.printf("http batched sends: %,d messages in batches of 100 in %.2f s = %,.0f messages/s%n",
                batched, seconds, batched / seconds);
    }

    private void receiveAndAck() throws Exception {
        AtomicLong acked = new AtomicLong();
        long total = singles + batched;
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    while (acked.get() < total) {
                        JsonNode received = mapper.readTree(post("/queues/bench/receive", "{\"max\":100,\"waitSeconds\":1}", 200));
                        for (JsonNode m : received.path("messages")) {
                            post("/messages/" + m.path("id").asText() + "/ack",
                                    "{\"leaseId\":\"" + m.path("leaseId").asText() + "\"}", 200);
                            acked.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("http receive+ack: %,d messages in %.2f s = %,.0f messages/s (receive up to 100 per call, one ack call each)%n",
                acked.get(), seconds, acked.get() / seconds);
    }

    interface Call {
        void run(int n) throws Exception;
    }

    private double parallel(int calls, Call call) throws Exception {
        AtomicLong next = new AtomicLong();
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            threads.add(Thread.ofVirtual().start(() -> {
                long n;
                try {
                    while ((n = next.getAndIncrement()) < calls) {
                        call.run((int) n);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private String post(String path, String body, int expected) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", auth).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }
}
