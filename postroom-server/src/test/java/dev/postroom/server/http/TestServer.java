package dev.postroom.server.http;

import dev.postroom.server.console.Console;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.Postroom;
import dev.postroom.server.audit.AuditLog;
import dev.postroom.server.auth.AuthStore;
import dev.postroom.server.auth.NewToken;
import dev.postroom.server.auth.Scope;
import dev.postroom.store.sqlite.SqliteMessageStore;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
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
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real server on a random port over a temp-dir SQLite store, with an admin token and a client
 * that speaks the API. One per test class, as an extension: it starts in a temp dir of its own
 * before the class's {@code @BeforeAll} methods, and closes and deletes the dir after all of the
 * class's tests. Tests keep apart by using their own queue names ({@link #uniqueQueue}).
 * <pre>{@code
 * class EmailRoutesTest {
 *     @RegisterExtension
 *     static final TestServer server = new TestServer();
 *
 *     @Test
 *     void sendAnswers201WithTheId() {
 *         String queue = uniqueQueue("emails");
 *         server.createQueue(queue);
 *         String id = server.send(queue, "{\"to\":\"a@example.com\"}");
 *     }
 * }
 * }</pre>
 */
final class TestServer implements BeforeAllCallback, AfterAllCallback {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PROBLEM_JSON = "application/problem+json";
    private static final AtomicInteger QUEUES = new AtomicInteger();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private Path dir;
    private AuthStore auth;
    private AuditLog audit;
    private ApiServer api;
    private Postroom postroom;
    /** A token with the admin scope, which implies every other; set when the server starts. */
    String admin;

    /** For {@code @RegisterExtension static final TestServer server = new TestServer();}. */
    TestServer() {
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("postroom-http");
        auth = AuthStore.open(dir);
        audit = AuditLog.open(dir, InstantSource.system());
        api = new ApiServer(auth, audit, InstantSource.system(), Console.site(auth, audit, InstantSource.system()));
        postroom = Postroom.builder().store(SqliteMessageStore.open(dir.resolve("data"))).listener(api.listener())
                .encryptionKeys(dev.postroom.EncryptionKeys.of("test", new byte[32])).build();
        api.start(postroom, "127.0.0.1", 0);
        admin = token("admin");
    }

    /** Closes the server and deletes its dir; when {@link #beforeAll} failed halfway, closes what it opened. */
    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            if (api != null) {
                api.close();
            }
            if (postroom != null) {
                postroom.close();
            }
            if (audit != null) {
                audit.close();
            }
            if (auth != null) {
                auth.close();
            }
        } finally {
            deleteDir();
        }
    }

    private void deleteDir() throws IOException {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
    }

    /** The directory the server keeps its files in. */
    Path dir() {
        return dir;
    }

    /** A new token with these scopes, e.g. {@code token("send:emails.*", "read")}. */
    String token(String... scopes) {
        return auth.createToken("test-" + String.join("-", scopes).replace(':', '_'),
                Arrays.stream(scopes).map(Scope::parse).toList(), Instant.now()).secret();
    }

    /** A new token with these scopes, with its id. */
    NewToken newToken(String... scopes) {
        return auth.createToken("test-" + String.join("-", scopes).replace(':', '_') + "-" + System.nanoTime(),
                Arrays.stream(scopes).map(Scope::parse).toList(), Instant.now());
    }

    /** Revokes a token, as an admin would. */
    void revoke(String tokenId) {
        assertThat(auth.revoke(tokenId, Instant.now())).as("token %s revoked", tokenId).isTrue();
    }

    /** The audit actor of the token with this secret, as the API records it. */
    String actorOf(String secret) {
        return auth.verify(secret, Instant.now()).map(t -> AuditLog.token(t.name(), t.id()))
                .orElseThrow(() -> new AssertionError("no such token"));
    }

    /** The server's audit log, to check what the API recorded. */
    AuditLog audit() {
        return audit;
    }

    /**
     * A message of {@code queue} (created here with no retention and a day of archive) sent,
     * acked with {@code resultJson} and moved to the archive by a forced maintenance pass; its id.
     */
    String archived(String queue, String payloadJson, String resultJson) {
        postroom.createQueue(queue, dev.postroom.QueuePolicy.DEFAULT.withRetention(java.time.Duration.ZERO)
                .withArchive(java.time.Duration.ofDays(1)));
        String id = send(queue, payloadJson);
        try {
            dev.postroom.ReceivedMessage received = postroom.receive(queue, dev.postroom.ReceiveOptions.DEFAULTS).getFirst();
            postroom.ack(id, received.leaseId(), new dev.postroom.RawJson(resultJson));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        // Finished messages leave at the first pass past the millisecond they finished in.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> {
            postroom.runMaintenance();
            return postroom.archive().get(id).isPresent();
        });
        return id;
    }

    /** The Postroom behind the server, e.g. to register a handler. */
    Postroom postroom() {
        return postroom;
    }

    ApiServer api() {
        return api;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + api.port();
    }

    /** A queue name no other test in the JVM uses. */
    static String uniqueQueue(String prefix) {
        return prefix + "-" + QUEUES.incrementAndGet();
    }

    // ---------------------------------------------------------------- raw HTTP

    /** An answer: status, content type (or ""), body text. */
    record Reply(int status, String contentType, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new AssertionError("not JSON (status " + status + "): " + body, e);
            }
        }

        @Override
        public String toString() {
            return status + " " + contentType + " " + (body.length() > 500 ? body.substring(0, 500) + "…" : body);
        }
    }

    Reply get(String path, String token) {
        return call("GET", path, token, (byte[]) null);
    }

    Reply delete(String path, String token) {
        return call("DELETE", path, token, (byte[]) null);
    }

    Reply post(String path, String token, String json) {
        return call("POST", path, token, json);
    }

    Reply put(String path, String token, String json) {
        return call("PUT", path, token, json);
    }

    Reply call(String method, String path, String token, String json) {
        return call(method, path, token, json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code body} null sends none; a body goes as application/json. {@code token} null sends no
     * Authorization. Requests for {@code /api/v1/events} accept {@code text/event-stream}.
     */
    Reply call(String method, String path, String token, byte[] body) {
        return join(callAsync(method, path, token, body));
    }

    CompletableFuture<Reply> callAsync(String method, String path, String token, String json) {
        return callAsync(method, path, token, json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    /** As {@link #call}; an event stream, which never ends, is closed at once and answers an empty body. */
    CompletableFuture<Reply> callAsync(String method, String path, String token, byte[] body) {
        return http.sendAsync(request(method, path, token, body).build(), HttpResponse.BodyHandlers.ofInputStream())
                .thenApply(r -> {
                    String contentType = r.headers().firstValue("Content-Type").orElse("");
                    try (InputStream in = r.body()) {
                        String text = contentType.startsWith("text/event-stream") ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
                        return new Reply(r.statusCode(), contentType, text);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    HttpRequest.Builder request(String method, String path, String token, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(40))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (path.startsWith("/api/v1/events")) {
            request.header("Accept", "text/event-stream");
        }
        return request;
    }

    HttpClient http() {
        return http;
    }

    /**
     * Writes {@code request} as it is on a fresh socket and reads the answer up to the close: for
     * requests that java.net.http refuses to send (a bad percent escape, a body on a chunked GET).
     * Add {@code Connection: close} to the request.
     */
    Reply raw(String request) {
        try (Socket socket = new Socket("127.0.0.1", api.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            String[] head = text.substring(0, end).split("\r\n");
            int status = Integer.parseInt(head[0].split(" ")[1]);
            String contentType = "";
            boolean chunked = false;
            for (String line : head) {
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-type:")) {
                    contentType = line.substring(13).trim();
                }
                chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
            }
            String body = text.substring(end + 4);
            return new Reply(status, contentType, new String((chunked ? unchunk(body) : body).getBytes(StandardCharsets.ISO_8859_1),
                    StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String unchunk(String body) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = body.indexOf("\r\n", at);
            int size = Integer.parseInt(body.substring(at, lineEnd).split(";")[0].trim(), 16);
            if (size == 0) {
                return out.toString();
            }
            out.append(body, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
    }

    static Reply join(CompletableFuture<Reply> reply) {
        try {
            return reply.join();
        } catch (RuntimeException e) {
            throw new UncheckedIOException(new IOException("request failed", e));
        }
    }

    // ---------------------------------------------------------------- domain shortcuts (admin token)

    /** Creates a queue with the default policy, asserting 201. */
    void createQueue(String queue) {
        createQueue(queue, "{}");
    }

    void createQueue(String queue, String policy) {
        Reply reply = put("/api/v1/queues/" + queue, admin, policy);
        assertThat(reply.status()).as("create %s: %s", queue, reply).isEqualTo(201);
    }

    /** Creates a topic, asserting 201. */
    void createTopic(String topic) {
        Reply reply = put("/api/v1/topics/" + topic, admin, "{}");
        assertThat(reply.status()).as("create topic %s: %s", topic, reply).isEqualTo(201);
    }

    /** Subscribes {@code queue} to the topic under {@code name}, without a filter, asserting 201. */
    void subscribe(String topic, String name, String queue) {
        Reply reply = put("/api/v1/topics/" + topic + "/subscriptions/" + name, admin, "{\"queue\":\"" + queue + "\"}");
        assertThat(reply.status()).as("subscribe %s to %s: %s", queue, topic, reply).isEqualTo(201);
    }

    /** Sends a message with this JSON payload; returns its id. */
    String send(String queue, String payloadJson) {
        Reply reply = post("/api/v1/queues/" + queue + "/messages", admin, "{\"payload\":" + payloadJson + "}");
        assertThat(reply.status()).as("send to %s: %s", queue, reply).isEqualTo(201);
        return reply.json().get("id").asText();
    }

    /** Leases the next message of the queue (no wait), asserting there is one. */
    JsonNode receiveOne(String queue) {
        Reply reply = post("/api/v1/queues/" + queue + "/receive", admin, "{}");
        assertThat(reply.status()).as("receive from %s: %s", queue, reply).isEqualTo(200);
        assertThat(reply.json().get("messages")).as("receive from %s: %s", queue, reply).hasSize(1);
        return reply.json().get("messages").get(0);
    }

    /** The queue's counts object, as GET /queues/{queue} shows it. */
    JsonNode counts(String queue) {
        Reply reply = get("/api/v1/queues/" + queue, admin);
        assertThat(reply.status()).as("get %s: %s", queue, reply).isEqualTo(200);
        return reply.json().get("counts");
    }

    /** The message as GET /messages/{id} shows it. */
    JsonNode message(String id) {
        Reply reply = get("/api/v1/messages/" + id, admin);
        assertThat(reply.status()).as("get %s: %s", id, reply).isEqualTo(200);
        return reply.json();
    }

    // ---------------------------------------------------------------- assertions

    /**
     * Asserts an RFC 9457 problem with {@code status}: the content type, type/title/status/detail,
     * and nothing that looks like a stack trace or HTML. Returns the document.
     */
    static JsonNode assertProblem(Reply reply, int status) {
        assertThat(reply.status()).as("status of %s", reply).isEqualTo(status);
        assertIsProblem(reply);
        return reply.json();
    }

    /** As {@link #assertProblem(Reply, int)}, and the {@code errors} name {@code field}. */
    static JsonNode assertProblem(Reply reply, int status, String field) {
        JsonNode problem = assertProblem(reply, status);
        assertThat(fields(problem)).as("errors[].field of %s", reply).contains(field);
        return problem;
    }

    /** The shape of a problem, whatever its status. */
    static void assertIsProblem(Reply reply) {
        assertThat(reply.contentType()).as("content type of %s", reply).startsWith(PROBLEM_JSON);
        assertThat(reply.body()).as("body of %s", reply)
                .doesNotContainIgnoringCase("<html")
                .doesNotContain("Exception")
                .doesNotContain("\tat ")
                .doesNotContain(".java:");
        JsonNode problem = reply.json();
        assertThat(problem.path("type").isTextual()).as("type in %s", reply).isTrue();
        assertThat(problem.path("title").isTextual()).as("title in %s", reply).isTrue();
        assertThat(problem.path("status").asInt()).as("status in %s", reply).isEqualTo(reply.status());
        assertThat(problem.path("detail").isTextual()).as("detail in %s", reply).isTrue();
        if (problem.has("errors")) {
            for (JsonNode error : problem.get("errors")) {
                assertThat(error.path("field").isTextual()).as("errors[].field in %s", reply).isTrue();
                assertThat(error.path("message").isTextual()).as("errors[].message in %s", reply).isTrue();
            }
        }
    }

    static List<String> fields(JsonNode problem) {
        List<String> fields = new ArrayList<>();
        problem.path("errors").forEach(e -> fields.add(e.path("field").asText()));
        return fields;
    }

}
