package dev.postroom.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM to a real server process while clients send: the process exits 0, and after a restart
 * every send that was answered 201 is there, and the messages that were leased are deliverable
 * again.
 */
class GracefulShutdownTest {
    private static final String TOKEN = "pr_shutdown_test_token_0123456789";
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void sigtermExitsCleanlyAndLosesNoAnsweredSend() throws Exception {
        Server first = Server.start(dir);
        call(first, "PUT", "/api/v1/queues/jobs", "{}", 201);
        for (int i = 0; i < 20; i++) {
            call(first, "POST", "/api/v1/queues/jobs/messages", "{\"payload\":{\"n\":" + i + "}}", 201);
        }
        JsonNode leased = mapper.readTree(call(first, "POST", "/api/v1/queues/jobs/receive", "{\"max\":5}", 200));
        assertThat(leased.path("messages")).hasSize(5);

        ConcurrentLinkedQueue<String> answered = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<Void>> senders = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            senders.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 10_000; i++) {
                    try {
                        HttpResponse<String> response = send(first, "POST", "/api/v1/queues/jobs/messages", "{\"payload\":{\"late\":true}}");
                        if (response.statusCode() == 201) {
                            answered.add(mapper.readTree(response.body()).path("id").asText());
                        }
                    } catch (Exception refusedAfterShutdown) {
                        return;
                    }
                }
            }));
        }
        while (answered.size() < 50) {
            Thread.onSpinWait();
        }
        first.process.destroy(); // SIGTERM
        assertThat(first.process.waitFor(60, TimeUnit.SECONDS)).as("server stopped").isTrue();
        assertThat(first.process.exitValue()).as("exit code after SIGTERM").isZero();
        CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).join();

        Server second = Server.start(dir);
        try {
            for (String id : answered) {
                call(second, "GET", "/api/v1/messages/" + id, null, 200);
            }
            JsonNode counts = mapper.readTree(call(second, "GET", "/api/v1/queues/jobs", null, 200)).path("counts");
            assertThat(counts.path("inFlight").asLong()).isZero();
            // A send committed just as the connection closed is stored but unanswered: at most one per sender.
            assertThat(counts.path("ready").asLong()).isBetween(20L + answered.size(), 20L + answered.size() + senders.size());
        } finally {
            second.process.destroy();
            second.process.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private String call(Server server, String method, String path, String body, int expected) throws Exception {
        HttpResponse<String> response = send(server, method, path, body);
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(expected);
        return response.body();
    }

    private HttpResponse<String> send(Server server, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port + path))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private record Server(Process process, int port) {
        static Server start(Path dir) throws Exception {
            String java = ProcessHandle.current().info().command().orElse("java");
            ProcessBuilder builder = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "server", "--data", dir.resolve("data").toString(), "--port", "0", "--shutdown-seconds", "10")
                    .redirectErrorStream(true);
            builder.environment().put("POSTROOM_ADMIN_TOKEN", TOKEN);
            builder.environment().put("POSTROOM_ADMIN_PASSWORD", "shutdown-test-password");
            Process process = builder.start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null) {
                Matcher matcher = LISTENING.matcher(line);
                if (matcher.find()) {
                    Thread.ofVirtual().start(() -> drain(out));
                    return new Server(process, Integer.parseInt(matcher.group(1)));
                }
            }
            throw new IllegalStateException("server exited before listening, code " + process.waitFor());
        }

        /** Reads the server's output until it exits, so that it never blocks on a full pipe. */
        private static void drain(BufferedReader out) {
            try {
                out.lines().forEach(line -> { });
            } catch (UncheckedIOException closedWithTheProcess) {
                // the stream closed as the server exited: nothing left to read
            }
        }
    }
}
