package dev.postroom.bench;

import dev.postroom.server.console.Console;
import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.MessageSummary;
import dev.postroom.OutgoingMessage;
import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import dev.postroom.SendOptions;
import dev.postroom.StateCounts;
import dev.postroom.server.audit.AuditLog;
import dev.postroom.server.auth.AuthStore;
import dev.postroom.server.auth.Role;
import dev.postroom.server.http.ApiServer;
import dev.postroom.store.sqlite.SqliteMessageStore;
import dev.postroom.store.sqlite.SqliteOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator console's pages over a large embedded store. Fills a store with {@code --messages}
 * messages over five queues of different sizes (mostly SUCCEEDED, some DEAD with a few distinct
 * errors, some READY, a few thousand with ordering keys, ~200-byte JSON payloads, a rare word in
 * one of every 10,000), then starts the real HTTP server, signs in through the login form and
 * requests each page {@code --requests} times, one at a time after {@code --warmup} unmeasured
 * requests. For each page it prints p50/p99/max of the server's own time (the console's
 * {@code Server-Timing} header: from the guard to the rendered page) and of the time the client
 * saw over loopback (request sent to body read).
 * Run: {@code java --enable-native-access=ALL-UNNAMED -cp postroom-bench/target/postroom-bench.jar dev.postroom.bench.ConsoleBench}.
 */
@Command(name = "console-bench", mixinStandardHelpOptions = true, description = "Console page times over a large store.")
public final class ConsoleBench implements Runnable {
    /** Queues and their share of the messages, in percent. */
    private static final Map<String, Integer> QUEUES = orderedMap("billing", 40, "emails", 25, "webhooks", 15, "exports", 12, "reports", 8);
    /** What failing handlers say; DEAD messages carry one of these as their last error. */
    private static final String[] ERRORS = {
            "payment provider timed out after 30 s", "customer not found", "SMTP 550 mailbox unavailable", "invalid IBAN checksum"};
    /** One message in every {@value} carries it: the rare word of the text search. */
    static final int RARE_EVERY = 10_000;
    static final String RARE_WORD = "zanzibar";
    /** Occurs in no message: a search for it examines its whole budget and finds nothing. */
    static final String MISSING_WORD = "quetzalcoatl";
    private static final String[] WORDS = {"refund", "invoice", "reminder", "export", "sync", "renewal", "receipt", "chargeback"};
    private static final Pattern SERVER_TIMING = Pattern.compile("app;dur=([0-9.]+)");
    private static final String PASSWORD = "console-bench-password";

    @Option(names = "--messages", defaultValue = "1000000", description = "Messages in the store.")
    int messages;
    @Option(names = "--requests", defaultValue = "200", description = "Measured requests per page.")
    int requests;
    @Option(names = "--warmup", defaultValue = "50", description = "Unmeasured requests per page first.")
    int warmup;
    @Option(names = "--audit-entries", defaultValue = "2000", description = "Audit entries written before the run.")
    int auditEntries;
    @Option(names = "--dir", defaultValue = "target/bench", description = "Where the store is made.")
    Path dir;

    private HttpClient client;
    private String base;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ConsoleBench()).execute(args));
    }

    @Override
    public void run() {
        try {
            Files.createDirectories(dir);
            Path data = Files.createTempDirectory(dir, "console");
            System.out.printf("console bench: %d cores, JDK %s, max heap %d MiB, store in %s%n",
                    Runtime.getRuntime().availableProcessors(), Runtime.version(), Runtime.getRuntime().maxMemory() >> 20, data);
            int ready = messages / 50;
            fill(data, messages - ready);
            try (AuthStore auth = AuthStore.open(data); AuditLog audit = AuditLog.open(data, InstantSource.system())) {
                auth.addUser("operator", PASSWORD, Role.OPERATOR, Instant.now());
                long auditStart = System.nanoTime();
                for (int i = 0; i < auditEntries; i++) {
                    audit.record(AuditLog.user("operator"), i % 3 == 0 ? "queue.pause" : "message.retry",
                            i % 3 == 0 ? "queue" : "message", i % 3 == 0 ? "billing" : "m-" + i, Map.of("n", i), "127.0.0.1");
                }
                System.out.printf("audit: %,d entries written in %.1f s%n", auditEntries, (System.nanoTime() - auditStart) / 1e9);
                ApiServer api = new ApiServer(auth, audit, InstantSource.system(), Console.site(auth, audit, InstantSource.system()));
                try (Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(SqliteOptions.of(data)))
                        .listener(api.listener()).build()) {
                    sendReady(postroom, ready);
                    report(postroom);
                    api.start(postroom, "127.0.0.1", 0);
                    try {
                        base = "http://127.0.0.1:" + api.port();
                        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                                .cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER).build();
                        signIn();
                        measurePages(postroom);
                    } finally {
                        api.close();
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The bulk of the store: sent in batches of 1,000 (round-robin over the queues by their shares)
     * while a handler per queue acks most messages and fails 3% for good (max attempts 1: DEAD).
     * The clock stops when every message is SUCCEEDED or DEAD.
     */
    private void fill(Path data, int count) throws Exception {
        try (Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(SqliteOptions.of(data))).build()) {
            for (String queue : QUEUES.keySet()) {
                postroom.createQueue(queue, QueuePolicy.DEFAULT.withMaxAttempts(1));
                postroom.handle(queue, Payload.class, d -> {
                    long n = d.payload().n();
                    if (n % 100 < 3) {
                        throw new IllegalStateException(ERRORS[(int) (n / 100 % ERRORS.length)]);
                    }
                    return null;
                });
            }
            long start = System.nanoTime();
            send(postroom, 0, count);
            double sent = (System.nanoTime() - start) / 1e9;
            while (finished(postroom) < count) {
                Thread.sleep(100);
            }
            double done = (System.nanoTime() - start) / 1e9;
            System.out.printf("fill: %,d messages sent in batches of 1,000 in %.1f s (%,.0f/s); all handled (acked or dead) after %.1f s (%,.0f/s)%n",
                    count, sent, count / sent, done, count / done);
        }
    }

    /** The READY rest: sent with no handler, so they wait. */
    private void sendReady(Postroom postroom, int count) {
        long start = System.nanoTime();
        send(postroom, messages - count, messages);
        System.out.printf("ready: %,d more messages sent, left waiting, in %.1f s%n", count, (System.nanoTime() - start) / 1e9);
    }

    private static void send(Postroom postroom, long from, long to) {
        List<String> queues = weightedQueues();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        int batchNumber = 0;
        for (long n = from; n < to; n += 1000) {
            List<OutgoingMessage> batch = new ArrayList<>(1000);
            for (long i = n; i < Math.min(to, n + 1000); i++) {
                // A few thousand messages per million carry an ordering key: a customer's messages in order.
                SendOptions options = i % 200 == 50
                        ? SendOptions.builder().orderingKey("customer-" + (i / 200 % 500)).build() : SendOptions.DEFAULTS;
                batch.add(new OutgoingMessage(Payload.sample(i), options));
            }
            pending.add(postroom.sendBatch(queues.get(batchNumber++ % queues.size()), batch));
            if (pending.size() >= 8) {
                pending.removeFirst().join();
            }
        }
        pending.forEach(CompletableFuture::join);
    }

    /** One queue name per percent of its share, interleaved, so batches spread as the shares say. */
    private static List<String> weightedQueues() {
        List<String> names = new ArrayList<>();
        for (int slot = 0; names.size() < 100; slot++) {
            for (Map.Entry<String, Integer> queue : QUEUES.entrySet()) {
                if (slot < queue.getValue()) {
                    names.add(queue.getKey());
                }
            }
        }
        return names;
    }

    private static long finished(Postroom postroom) {
        return QUEUES.keySet().stream().map(q -> postroom.queue(q).counts())
                .mapToLong(c -> c.succeeded() + c.dead()).sum();
    }

    private static void report(Postroom postroom) {
        for (String queue : QUEUES.keySet()) {
            StateCounts c = postroom.queue(queue).counts();
            System.out.printf("  %-8s %,9d succeeded %,7d dead %,7d ready%n", queue, c.succeeded(), c.dead(), c.ready());
        }
    }

    private void signIn() throws Exception {
        String form = "username=operator&password=" + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8) + "&next=%2Fconsole";
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + "/console/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 303) {
            throw new IllegalStateException("sign-in answered " + response.statusCode() + ": " + response.body());
        }
    }

    private void measurePages(Postroom postroom) throws Exception {
        String queue = QUEUES.keySet().iterator().next();
        MessageSummary dead = postroom.browse(MessageQuery.builder().queue(queue).state(MessageState.DEAD).limit(1).build())
                .messages().getFirst();
        Map<String, String> pages = orderedMap(
                "overview", "/console",
                "browser, queue + state DEAD", "/console/messages?queue=" + queue + "&state=DEAD",
                "browser, queue only", "/console/messages?queue=" + queue,
                "browser, queue + state SUCCEEDED", "/console/messages?queue=" + queue + "&state=SUCCEEDED",
                "browser, queue + state READY", "/console/messages?queue=" + queue + "&state=READY",
                "browser, no filter", "/console/messages",
                "text search, rare word", "/console/messages?q=" + RARE_WORD,
                "text search, rare word in queue", "/console/messages?queue=" + queue + "&q=" + RARE_WORD,
                "text search, no match", "/console/messages?q=" + MISSING_WORD,
                "message page (DEAD)", "/console/messages/" + dead.id(),
                "dead letters", "/console/dead?queue=" + queue,
                "queue page", "/console/queues/" + queue,
                "audit", "/console/audit",
                "series.json 24h", "/console/series.json?window=24h");
        System.out.printf("%nconsole pages, %d requests each after %d warm-up, one at a time (ms)%n", requests, warmup);
        System.out.printf("%-34s %7s %7s %7s | %7s %7s %7s | %s%n", "page", "srv p50", "srv p99", "srv max",
                "cli p50", "cli p99", "cli max", "p99 < 100 ms");
        for (Map.Entry<String, String> page : pages.entrySet()) {
            measure(page.getKey(), page.getValue());
        }
    }

    private void measure(String name, String path) throws Exception {
        HttpResponse<String> probe = get(path);
        if (probe.statusCode() != 200) {
            System.out.printf("%-34s skipped: %s answered %d%n", name, path, probe.statusCode());
            return;
        }
        for (int i = 0; i < warmup; i++) {
            get(path);
        }
        double[] server = new double[requests];
        double[] loopback = new double[requests];
        boolean timed = true;
        for (int i = 0; i < requests; i++) {
            long start = System.nanoTime();
            HttpResponse<String> response = get(path);
            loopback[i] = (System.nanoTime() - start) / 1e6;
            if (response.statusCode() != 200) {
                throw new IllegalStateException(path + " answered " + response.statusCode());
            }
            Optional<Double> dur = response.headers().firstValue("Server-Timing").map(SERVER_TIMING::matcher)
                    .filter(Matcher::find).map(m -> Double.parseDouble(m.group(1)));
            timed &= dur.isPresent();
            server[i] = dur.orElse(Double.NaN);
        }
        Arrays.sort(server);
        Arrays.sort(loopback);
        double p99 = timed ? percentile(server, 99) : percentile(loopback, 99);
        System.out.printf(Locale.ROOT, "%-34s %7s %7s %7s | %7.1f %7.1f %7.1f | %s%n", name,
                timed ? fmt(percentile(server, 50)) : "-", timed ? fmt(percentile(server, 99)) : "-",
                timed ? fmt(server[requests - 1]) : "-",
                percentile(loopback, 50), percentile(loopback, 99), loopback[requests - 1],
                (p99 < 100 ? "yes" : "NO") + (timed ? "" : " (no Server-Timing header: client time)"));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double percentile(double[] sorted, double p) {
        return sorted[Math.max(0, (int) Math.ceil(p / 100 * sorted.length) - 1)];
    }

    private static String fmt(double millis) {
        return String.format(Locale.ROOT, "%.1f", millis);
    }

    @SuppressWarnings("unchecked")
    private static <V> Map<String, V> orderedMap(Object... pairs) {
        Map<String, V> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], (V) pairs[i + 1]);
        }
        return map;
    }

    /**
     * A message as an admin tool might send it, about 200 bytes of JSON; one in {@value #RARE_EVERY}
     * mentions {@value #RARE_WORD} in its note.
     */
    public record Payload(long n, String tenant, String action, String target, long amountCents, String note) {
        static Payload sample(long n) {
            String word = WORDS[(int) (n % WORDS.length)];
            String note = (n % RARE_EVERY == 4321 ? "routed via " + RARE_WORD + " desk; " : "")
                    + word + " requested by back office for tenant " + (n % 100) + ", batch " + (n / 1000)
                    + ", operator notes: customer called twice, approved by team lead";
            return new Payload(n, "tenant-" + (n % 100), word, "order-" + n, 100 + n * 37 % 100_000, note);
        }
    }
}
