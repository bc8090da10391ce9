package dev.postroom.server.fuzz;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.Postroom;
import dev.postroom.server.audit.AuditLog;
import dev.postroom.server.auth.AuthStore;
import dev.postroom.server.auth.Scope;
import dev.postroom.server.http.ApiServer;
import dev.postroom.store.sqlite.SqliteMessageStore;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzing from the contract: requests for every operation in {@code openapi.json}, valid ones and
 * mutated ones ({@link Mutator}), at least 10,000 per run from a seeded {@link Random}, each answer
 * checked by {@link ResponseCheck} (documented status and content type, body valid against the
 * documented schema, never 5xx, no success for a request the contract forbids), and every 4xx
 * checked to have changed nothing ({@link StateFingerprint} before and after).
 *
 * <p>The seed is printed on start; {@code -Dpostroom.fuzz.seed=N} replays a run and
 * {@code -Dpostroom.fuzz.requests=N} makes it longer; {@code -Dpostroom.fuzz.summary=true} prints the
 * answers' statuses at the end. The server runs on the embedded store with
 * background upkeep turned off, so that only requests change its state; the fuzzer runs one pass
 * of upkeep itself every {@value #UPKEEP_EVERY} requests, between two fingerprints.
 */
class ContractFuzzTest {
    private static final int UPKEEP_EVERY = 500;
    /** A valid request is mutated this often (percent). */
    private static final int MUTATED_PERCENT = 70;
    private static final int MAX_REPORTED = 40;
    /**
     * Operations that are slow by nature (bcrypt at cost 12, a copy of the store, a scrape) or hold
     * a stream: asked less often. Every operation is asked twice first, in the contract's order.
     */
    private static final Map<String, Double> WEIGHTS = Map.of(
            "POST /api/v1/users", 0.02,
            "PUT /api/v1/users/{username}/password", 0.02,
            "POST /api/v1/backups", 0.1,
            "GET /api/v1/events", 0.3,
            "GET /metrics", 0.3);

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private String baseUrl;

    @Test
    void everyAnswerMatchesTheContractAndRejectedRequestsChangeNothing() throws Exception {
        long seed = Long.getLong("postroom.fuzz.seed", new Random().nextLong());
        int requests = Integer.getInteger("postroom.fuzz.requests", 10_000);
        System.out.println("ContractFuzzTest seed=" + seed + " requests=" + requests + " (replay: -Dpostroom.fuzz.seed=" + seed + ")");

        Path dir = scratchDir();
        AuthStore auth = AuthStore.open(dir);
        AuditLog audit = AuditLog.open(dir, InstantSource.system());
        ApiServer api = new ApiServer(auth, audit, InstantSource.system(), null);
        Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(dir.resolve("data")))
                .listener(api.listener()).maintenanceInterval(null).build();
        try {
            api.start(postroom, "127.0.0.1", 0);
            baseUrl = "http://127.0.0.1:" + api.port();
            String admin = auth.createToken("fuzz-admin", List.of(Scope.parse("admin")), Instant.now()).secret();
            String weak = auth.createToken("fuzz-weak", List.of(Scope.parse("send:nothing-*")), Instant.now()).secret();
            postroomOf.set(postroom);
            Run run = new Run(new Random(seed), Contract.load(json), admin, weak, new StateFingerprint(postroom, auth, audit), postroom);
            run.setUp();
            long started = System.nanoTime();
            run.fuzz(requests);
            if (Boolean.getBoolean("postroom.fuzz.summary")) {
                System.out.printf("ContractFuzzTest %d requests in %.1f s; answers by status %s; %d rejections checked for changes%n",
                        run.sent, (System.nanoTime() - started) / 1e9, new java.util.TreeMap<>(run.statuses), run.rejectionsChecked);
            }
            if (!run.findings.isEmpty()) {
                System.out.println("ContractFuzzTest seed=" + seed + ": " + run.findings.size() + " kinds of finding");
                run.findings.values().forEach(f -> System.out.println("  " + f));
            }
            assertThat(run.sent).as("requests sent").isGreaterThanOrEqualTo(requests);
            assertThat(run.operationsHit).as("operations asked").containsAll(run.contract.operations().stream().map(Operation::toString).toList());
            assertThat(run.findings.keySet()).as("findings with seed %d (replay: -Dpostroom.fuzz.seed=%d)", seed, seed).isEmpty();
        } finally {
            api.close();
            postroom.close();
            audit.close();
            auth.close();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
    }

    /**
     * A directory in memory where there is one ({@code /dev/shm}): the fuzzer tests answers, not
     * durability, and thousands of fsyncs on a disk would be most of its time.
     */
    private static Path scratchDir() throws IOException {
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return Files.createTempDirectory(shm, "postroom-fuzz");
        }
        return Files.createTempDirectory("postroom-fuzz");
    }

    /**
     * An erasure runs in the background, the one thing that changes the state outside a request: the
     * fuzzer waits for it (its end is audited before it shows as ended) before the next fingerprint.
     */
    private void awaitErasure(ResponseCheck.Answer answer) throws IOException {
        String id = json.readTree(answer.body()).path("id").asText();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                .until(() -> postroomOf.get().erasures().get(id).map(e -> e.state() != dev.postroom.Erasure.State.RUNNING).orElse(true));
    }

    /** As {@link #awaitErasure}, for a replay. */
    private void awaitReplay(ResponseCheck.Answer answer) throws IOException {
        String id = json.readTree(answer.body()).path("id").asText();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                .until(() -> postroomOf.get().replays().get(id).map(r -> r.state() != dev.postroom.Replay.State.RUNNING).orElse(true));
    }

    /** The Postroom under test, for {@link #awaitErasure}. */
    private final java.util.concurrent.atomic.AtomicReference<Postroom> postroomOf = new java.util.concurrent.atomic.AtomicReference<>();

    /** One run: its random source, what it knows of the server, and what it found. */
    private final class Run {
        final Random random;
        final Contract contract;
        final World world = new World();
        final Requests requests;
        final Mutator mutator;
        final ResponseCheck check;
        final StateFingerprint fingerprint;
        final Postroom postroom;
        final double[] cumulative;
        /** One example per kind of finding (operation, problem), with how often it happened. */
        final Map<String, Finding> findings = new LinkedHashMap<>();
        final java.util.Set<String> operationsHit = new java.util.HashSet<>();
        int sent;
        final Map<Integer, Integer> statuses = new java.util.HashMap<>();
        int rejectionsChecked;
        /** The request sent before, for a report on a connection that failed. */
        String previous = "-";
        final String admin;

        /** A re-encryption runs in the background too; its end is audited before it shows as ended. */
        void awaitReencryption() {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> {
                HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/encryption"))
                        .header("Authorization", "Bearer " + admin).build(), HttpResponse.BodyHandlers.ofString());
                return !json.readTree(status.body()).path("reencryption").path("state").asText().equals("RUNNING");
            });
        }

        Run(Random random, Contract contract, String admin, String weak, StateFingerprint fingerprint, Postroom postroom) {
            this.admin = admin;
            this.random = random;
            this.contract = contract;
            this.requests = new Requests(contract, world, random, admin);
            this.mutator = new Mutator(random, weak);
            this.check = new ResponseCheck(contract, json);
            this.fingerprint = fingerprint;
            this.postroom = postroom;
            this.cumulative = new double[contract.operations().size()];
            double total = 0;
            for (int i = 0; i < cumulative.length; i++) {
                total += WEIGHTS.getOrDefault(contract.operations().get(i).toString(), 1.0);
                cumulative[i] = total;
            }
        }

        /** Queues, a topic, a schedule and messages in several states, made with valid requests. */
        void setUp() throws IOException, InterruptedException {
            call("PUT", "/api/v1/queues/fuzz-a", "{}");
            call("PUT", "/api/v1/queues/fuzz-b", "{\"maxAttempts\":1}");
            call("PUT", "/api/v1/queues/fuzz-c", "{\"rateLimit\":{\"count\":1000,\"perSeconds\":1}}");
            call("PUT", "/api/v1/topics/fuzz-topic", "{}");
            call("PUT", "/api/v1/topics/fuzz-topic/subscriptions/fuzz-sub", "{\"queue\":\"fuzz-a\"}");
            call("PUT", "/api/v1/schedules/fuzz-schedule", "{\"cron\":\"* * * * *\",\"queue\":\"fuzz-a\",\"payload\":{\"tick\":1}}");
            call("POST", "/api/v1/users", "{\"username\":\"fuzz-user\",\"password\":\"fuzz-password-1\",\"role\":\"operator\"}");
            call("POST", "/api/v1/tokens", "{\"name\":\"fuzz-made\",\"scopes\":[\"read\"]}");
            for (int i = 0; i < 20; i++) {
                call("POST", "/api/v1/queues/" + World.BASE_QUEUES.get(i % 2) + "/messages", "{\"payload\":{\"n\":" + i + "}}");
            }
            call("POST", "/api/v1/queues/fuzz-c/messages:batch",
                    "{\"messages\":[{\"payload\":1},{\"payload\":2}],\"batch\":{\"onComplete\":{\"queue\":\"fuzz-a\"}}}");
            call("POST", "/api/v1/queues/fuzz-a/receive", "{\"max\":5}");
            call("POST", "/api/v1/queues/fuzz-b/receive", "{\"max\":3}");
            String dead = world.leases.keySet().stream().reduce((a, b) -> b).orElseThrow();
            call("POST", "/api/v1/messages/" + dead + "/nack", "{\"leaseId\":\"" + world.leases.get(dead) + "\",\"error\":{\"message\":\"no\"}}");
        }

        private void call(String method, String path, String body) throws IOException, InterruptedException {
            Operation op = contract.operations().stream().filter(o -> o.method().equals(method) && matches(o.path(), path)).findFirst().orElseThrow();
            Draft draft = new Draft(op);
            draft.token = requests.valid(op).token;
            Map<String, String> params = params(op.path(), path);
            draft.path.putAll(params);
            draft.body = json.readTree(body);
            ResponseCheck.Answer answer = send(draft);
            assertThat(answer.status()).as("set-up %s %s: %s", method, path, answer.text()).isBetween(200, 299);
            world.learn(op, params, answer.status(), json.readTree(answer.body()));
        }

        void fuzz(int count) throws IOException, InterruptedException {
            String before = null;
            for (int i = 0; i < count; i++) {
                if (i > 0 && i % UPKEEP_EVERY == 0) {
                    postroom.runMaintenance(); // leases expire, delays come due, schedules fire: between two fingerprints
                    before = null;
                }
                Operation op = i < 2 * contract.operations().size() ? contract.operations().get(i % contract.operations().size()) : pick();
                operationsHit.add(op.toString());
                Draft draft = requests.valid(op);
                if (random.nextInt(100) < MUTATED_PERCENT) {
                    mutator.mutate(draft);
                }
                requests.checkAgainstContract(draft);
                String messageId = op.path().startsWith("/api/v1/messages/{id}") ? draft.path.get("id") : null;
                if (before == null) {
                    before = fingerprint.global();
                }
                String messageBefore = fingerprint.message(messageId);
                ResponseCheck.Answer answer;
                try {
                    answer = send(draft);
                } catch (IOException e) {
                    report(draft, null, "no answer: " + e + " (the request before: " + previous + ")");
                    before = null;
                    continue;
                }
                previous = draft.describe(json);
                for (String problem : check.problems(draft, answer)) {
                    report(draft, answer, problem);
                }
                int status = answer.status();
                statuses.merge(status, 1, Integer::sum);
                if (status == 202 && op.toString().equals("POST /api/v1/erasures")) {
                    awaitErasure(answer);
                }
                if (status == 202 && op.toString().equals("POST /api/v1/replays")) {
                    awaitReplay(answer);
                }
                if (status == 202 && op.toString().equals("POST /api/v1/encryption/reencrypt")) {
                    awaitReencryption();
                }
                if (status >= 400 && status < 500) {
                    rejectionsChecked++;
                    String after = fingerprint.global();
                    if (!after.equals(before)) {
                        report(draft, answer, "rejected with " + status + " but changed the state: " + firstDifference(before, after));
                    }
                    String messageAfter = fingerprint.message(messageId);
                    if (!messageAfter.equals(messageBefore)) {
                        report(draft, answer, "rejected with " + status + " but changed message " + messageId + ": "
                                + firstDifference(messageBefore, messageAfter));
                    }
                    before = after;
                } else if (status < 300) {
                    if (!op.method().equals("GET")) {
                        before = null;
                    }
                    if (answer.mediaType().equals("application/json")) {
                        world.learn(op, draft.path, status, json.readTree(answer.body()));
                    }
                } else {
                    before = null;
                }
            }
        }

        private Operation pick() {
            double at = random.nextDouble() * cumulative[cumulative.length - 1];
            for (int i = 0; i < cumulative.length; i++) {
                if (at < cumulative[i]) {
                    return contract.operations().get(i);
                }
            }
            return contract.operations().getLast();
        }

        ResponseCheck.Answer send(Draft draft) throws IOException, InterruptedException {
            sent++;
            byte[] body = draft.bytes(json);
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + draft.target())).timeout(Duration.ofSeconds(30))
                    .method(draft.operation.method(), body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            if (body != null && body.length > ApiServer.MAX_BODY_BYTES) {
                // as curl does for large bodies: the 413 comes before the body is sent, instead of racing a
                // connection that the server closes on a body it will not read (an answer then lost to a reset)
                request.expectContinue(true);
            }
            if (body != null && draft.contentType != null && !draft.contentType.isEmpty()) {
                request.header("Content-Type", draft.contentType);
            }
            if (draft.token != null) {
                request.header("Authorization", "Bearer " + draft.token);
            }
            draft.headers.forEach(request::header);
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            String contentType = response.headers().firstValue("Content-Type").orElse("");
            try (InputStream in = response.body()) {
                // an event stream never ends: its head is the answer
                byte[] bytes = contentType.startsWith("text/event-stream") ? new byte[0] : in.readAllBytes();
                return new ResponseCheck.Answer(response.statusCode(), contentType, bytes);
            }
        }

        private void report(Draft draft, ResponseCheck.Answer answer, String problem) {
            String kind = draft.operation + " " + problem.replaceAll("[0-9a-f]{8,}|\\d+", "#");
            if (kind.length() > 200) {
                kind = kind.substring(0, 200);
            }
            Finding finding = findings.get(kind);
            if (finding != null) {
                finding.count++;
            } else if (findings.size() < MAX_REPORTED) {
                findings.put(kind, new Finding(sent, draft.describe(json), answer == null ? "-"
                        : answer.status() + " " + answer.contentType() + " " + Draft.abbreviate(answer.text(), 300), problem));
            }
        }
    }

    /** A kind of finding, the first request that showed it, and how many did. */
    private static final class Finding {
        final int request;
        final String sent;
        final String answer;
        final String problem;
        int count = 1;

        Finding(int request, String sent, String answer, String problem) {
            this.request = request;
            this.sent = sent;
            this.answer = answer;
            this.problem = problem;
        }

        @Override
        public String toString() {
            return problem + " (" + count + "x; first at request " + request + ")\n    sent: " + sent + "\n    answer: " + answer;
        }
    }

    private static boolean matches(String template, String path) {
        return path.matches(template.replaceAll("\\{[^}]+}", "[^/]+").replace(":", "\\:"));
    }

    private static Map<String, String> params(String template, String path) {
        Map<String, String> params = new LinkedHashMap<>();
        String[] names = template.split("/");
        String[] values = path.split("/");
        for (int i = 0; i < names.length && i < values.length; i++) {
            if (names[i].startsWith("{")) {
                params.put(names[i].substring(1, names[i].length() - 1), values[i]);
            }
        }
        return params;
    }

    private static String firstDifference(String before, String after) {
        String[] a = before.split("\n");
        String[] b = after.split("\n");
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i] : "(nothing)";
            String y = i < b.length ? b[i] : "(nothing)";
            if (!x.equals(y)) {
                int from = 0;
                while (from < Math.min(x.length(), y.length()) && x.charAt(from) == y.charAt(from)) {
                    from++;
                }
                int start = Math.max(0, from - 80);
                return "before …" + Draft.abbreviate(x.substring(Math.min(start, x.length())), 240)
                        + " after …" + Draft.abbreviate(y.substring(Math.min(start, y.length())), 240);
            }
        }
        return "(no line differs)";
    }
}
