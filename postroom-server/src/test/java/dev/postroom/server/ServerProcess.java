package dev.postroom.server;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code postroom server} in a child JVM on the test classpath, listening on a port of its own
 * choosing, with a known admin token so that the test can call its HTTP API. Its output (log lines
 * included) is kept, for tests that check what a node logged.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Enough for a few minutes of request log lines; older lines are dropped beyond it. */
    private static final int KEPT_LINES = 200_000;

    private final Process process;
    private final String token;
    private final List<String> output = new ArrayList<>();
    private int port;
    private String startOutput = "";

    private ServerProcess(Process process, String token) {
        this.process = process;
        this.token = token;
    }

    /** Starts {@code postroom server ARGS --port 0}; call {@link #awaitListening()} before using it. */
    static ServerProcess start(String token, String... serverArgs) throws Exception {
        return start(token, true, serverArgs);
    }

    /**
     * Starts {@code postroom server ARGS --port 0} without POSTROOM_ADMIN_PASSWORD and
     * POSTROOM_ADMIN_TOKEN, as an operator would on first start; {@link #startOutput()} then shows
     * what it printed. Calls need a token: {@link #call(String, String, String, String)}.
     */
    static ServerProcess startWithoutAdminSecrets(String... serverArgs) throws Exception {
        return start(null, false, serverArgs);
    }

    private static ServerProcess start(String token, boolean adminSecrets, String... serverArgs) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        // On the test classpath the child reads logback-test.xml, which prints only WARN: tests read
        // its INFO lines (e.g. "notification listener reconnected"), so it prints them as a server would.
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Dpostroom.test.log=INFO",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "server"));
        command.addAll(List.of(serverArgs));
        command.addAll(List.of("--port", "0"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("POSTROOM_ADMIN_TOKEN");
        builder.environment().remove("POSTROOM_ADMIN_PASSWORD");
        if (adminSecrets) {
            builder.environment().put("POSTROOM_ADMIN_TOKEN", token);
            builder.environment().put("POSTROOM_ADMIN_PASSWORD", "server-process-test-password");
        }
        return new ServerProcess(builder.start(), token);
    }

    /**
     * Starts one node of a cluster on PostgreSQL: {@code --store postgres} on {@code schema}, a small
     * pool (several nodes share the test database), a short shutdown and the node name {@code node}.
     */
    static ServerProcess postgresNode(String token, String url, String schema, Path data, String node, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--store", "postgres", "--db-url", url, "--db-schema", schema,
                "--db-pool-size", "4", "--data", data.toString(), "--shutdown-seconds", "5", "--node", node));
        args.addAll(List.of(more));
        return start(token, args.toArray(String[]::new));
    }

    /** Reads the server's output until it says where it listens; returns the port. */
    ServerProcess awaitListening() throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null) {
            seen.append(line).append('\n');
            keep(line);
            Matcher matcher = LISTENING.matcher(line);
            if (matcher.find()) {
                Thread.ofVirtual().start(() -> drain(out));
                port = Integer.parseInt(matcher.group(1));
                startOutput = seen.toString();
                return this;
            }
        }
        throw new IllegalStateException("server exited before listening, code " + process.waitFor() + ":\n" + seen);
    }

    /** Reads the server's output until it exits, so that it never blocks on a full pipe. */
    private void drain(BufferedReader out) {
        try {
            out.lines().forEach(this::keep);
        } catch (java.io.UncheckedIOException closedWithTheProcess) {
            // the process is gone: nothing left to read
        }
    }

    private void keep(String line) {
        synchronized (output) {
            if (output.size() >= KEPT_LINES) {
                output.subList(0, KEPT_LINES / 10).clear();
            }
            output.add(line);
        }
    }

    /** The lines the server wrote so far (stdout and stderr), oldest first. */
    List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    Process process() {
        return process;
    }

    int port() {
        return port;
    }

    /** What the server printed up to the line saying where it listens. */
    String startOutput() {
        return startOutput;
    }

    HttpResponse<String> call(String method, String path, String body) throws Exception {
        return call(token, method, path, body);
    }

    /** A call with another token than the one the server was started with. */
    HttpResponse<String> call(String bearer, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** SIGKILL, and waits for the process to be gone; a no-op once it has exited. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Leaves no process behind when a test fails half way: SIGKILL if it still runs. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
