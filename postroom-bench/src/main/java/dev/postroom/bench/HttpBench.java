package dev.postroom.bench;

import dev.postroom.server.console.Console;
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

import java.lang.management.ManagementFactory;
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
 * per call) + one ack call per message for half of what was sent, then + one batch ack
 * ({@code POST /messages:ack}) per receive for the other half; p50/p99 of single-send calls, and the process's CPU time
 * per single send (client and server together), which, unlike the rate, does not depend on what
 * else the machine is doing.
 * Run: {@code java --enable-native-access=ALL-UNNAMED -cp postroom-bench/target/postroom-bench.jar dev.postroom.bench.HttpBench}.
 *
 * <p>To see the server without the client's CPU in its process, run the two apart: {@code --serve}
 * starts only the server and prints its URL and token; {@code --url URL --token TOKEN} drives a
 * server already running (it creates queue {@code bench}, so the token needs {@code admin}).
 */
@Command(name = "http-bench", mixinStandardHelpOptions = true)
public final class HttpBench implements Runnable {
    @Option(names = "--connections", defaultValue = "8")
    int connections;
    @Option(names = "--singles", defaultValue = "20000")
    int singles;
    @Option(names = "--batched", defaultValue = "200000")
    int batched;
    @Option(names = "--warmup", defaultValue = "5000", description = "single sends first, not measured, so the JIT has compiled the hot paths")
    int warmup;
    @Option(names = "--dir", defaultValue = "target/bench")
    Path dir;
    @Option(names = "--serve", description = "only start the server, print its URL and token, and run until killed")
    boolean serve;
    @Option(names = "--url", description = "drive this running server (e.g. http://127.0.0.1:8080) instead of starting one")
    String url;
    @Option(names = "--token", description = "the API token for --url")
    String token;

    private final ObjectMapper mapper = new ObjectMapper();
    private HttpClient client;
    private String base;
    private String auth;

    public static void main(String[] args) {
        System.exit(new CommandLine(new HttpBench()).execute(args));
    }

    @Override
    public void run() {
        if (url != null) {
            try {
                drive(url.replaceAll("/+$", ""), token);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return;
        }
        try {
            Files.createDirectories(dir);
            Path data = Files.createTempDirectory(dir, "http");
            try (AuthStore authStore = AuthStore.open(data); AuditLog audit = AuditLog.open(data, InstantSource.system())) {
                String secret = authStore.createToken("bench", List.of(Scope.parse("admin")), Instant.now()).secret();
                ApiServer api = new ApiServer(authStore, audit, InstantSource.system(), Console.site(authStore, audit, InstantSource.system()));
                try (Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(data.resolve("store")))
                        .listener(api.listener()).build()) {
                    postroom.createQueue("bench", QueuePolicy.DEFAULT);
                    api.start(postroom, "127.0.0.1", 0);
                    if (serve) {
                        System.out.printf("serving: --url http://127.0.0.1:%d --token %s%n", api.port(), secret);
                        Thread.currentThread().join();
                    }
                    drive("http://127.0.0.1:" + api.port(), secret);
                    api.close();
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void drive(String server, String secret) throws Exception {
        // One client for all callers: it keeps a pool of HTTP/1.1 connections, one per caller at a time.
        // Its own completion steps run inline on its selector thread instead of hopping to a pool
        // thread and back: about a tenth less CPU per call, the same requests on the wire.
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Runnable::run).build();
        base = server + "/api/v1";
        auth = "Bearer " + secret;
        if (url != null) {
            send("PUT", "/queues/bench", "{}", 200, 201);
        }
        String payload = mapper.writeValueAsString(Workload.sample(1, 0));
        String single = "{\"payload\":" + payload + "}";
        parallel(warmup, n -> post("/queues/bench/messages", single, 201));
        singleSends(payload);
        batchedSends(payload);
        long total = warmup + singles + batched;
        long oneByOne = receiveAndAck(total / 2, false);
        receiveAndAck(total - oneByOne, true);
    }

    /** CPU time this process has used so far, all threads, in nanoseconds. */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private void singleSends(String payload) throws Exception {
        String body = "{\"payload\":" + payload + "}";
        Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        long cpuBefore = cpuNanos();
        double seconds = parallel(singles, n -> {
            long start = System.nanoTime();
            post("/queues/bench/messages", body, 201);
            long took = System.nanoTime() - start;
            synchronized (histogram) {
                histogram.recordValue(Math.min(took, histogram.getHighestTrackableValue()));
            }
        });
        double cpuMillisPerSend = (cpuNanos() - cpuBefore) / 1e6 / singles;
        System.out.printf("http single sends: %,d in %.2f s = %,.0f sends/s, p50 %.2f ms, p99 %.2f ms (%d connections), "
                        + "%.3f ms CPU per send in this process%n",
                singles, seconds, singles / seconds, histogram.getValueAtPercentile(50) / 1e6,
                histogram.getValueAtPercentile(99) / 1e6, connections, cpuMillisPerSend);
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

    /**
     * Receives (up to 100 per call) and acks until {@code total} messages are acked: one ack call
     * per message, or with {@code batchAck} one {@code POST /messages:ack} per receive. Returns how
     * many were acked (a caller may take a few past {@code total}).
     */
    private long receiveAndAck(long total, boolean batchAck) throws Exception {
        AtomicLong acked = new AtomicLong();
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    while (acked.get() < total) {
                        JsonNode received = mapper.readTree(post("/queues/bench/receive", "{\"max\":100,\"waitSeconds\":1}", 200));
                        if (batchAck) {
                            StringBuilder acks = new StringBuilder("{\"acks\":[");
                            for (JsonNode m : received.path("messages")) {
                                acks.append(acks.length() > 9 ? "," : "").append("{\"id\":\"").append(m.path("id").asText())
                                        .append("\",\"leaseId\":\"").append(m.path("leaseId").asText()).append("\"}");
                            }
                            if (!received.path("messages").isEmpty()) {
                                post("/messages:ack", acks.append("]}").toString(), 200);
                                acked.addAndGet(received.path("messages").size());
                            }
                        } else {
                            for (JsonNode m : received.path("messages")) {
                                post("/messages/" + m.path("id").asText() + "/ack",
                                        "{\"leaseId\":\"" + m.path("leaseId").asText() + "\"}", 200);
                                acked.incrementAndGet();
                            }
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
        System.out.printf("http receive+ack: %,d messages in %.2f s = %,.0f messages/s (receive up to 100 per call, %s)%n",
                acked.get(), seconds, acked.get() / seconds, batchAck ? "one batch ack call per receive" : "one ack call each");
        return acked.get();
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
        return send("POST", path, body, expected, expected);
    }

    private String send(String method, String path, String body, int expected, int alsoExpected) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", auth).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected && response.statusCode() != alsoExpected) {
            throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }
}
