package dev.postroom.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * HTTP load from a separate process: starts the real server jar as a child JVM (embedded SQLite
 * store in a fresh temporary data directory, 127.0.0.1, a free port, an admin token it chose),
 * then runs {@code postroom-bench/http-load/http-load.mjs}, an autocannon driver in Node, against
 * it: single sends, batch sends of 100, receive (max 100) + one batch ack, receive (max 100) + one
 * ack per message, each after a warm-up, with the server's CPU read from {@code /proc} around each
 * run. The Node script prints one line per run and a JSON summary; this prints them as they come.
 * Unlike {@link HttpBench}, the client's CPU is not in the server's process, and autocannon costs
 * less per request than the JDK {@code HttpClient}, so the server is what limits the figures.
 *
 * <p>It builds nothing: build first ({@code ./mvnw -q install -DskipTests}), then run from the
 * repository's root: {@code java -cp postroom-bench/target/postroom-bench.jar dev.postroom.bench.HttpLoad}.
 * Needs {@code node} and {@code npm} on the PATH (it runs {@code npm ci} once when
 * {@code node_modules} is missing) and skips with a message without them. Profile the server with
 * {@code --server-jvm-option=-XX:StartFlightRecording=duration=30s,filename=/tmp/load.jfr,settings=profile}.
 */
@Command(name = "http-load", mixinStandardHelpOptions = true,
        description = "Drives the real server (child JVM) with autocannon in Node: sends, batch sends, receive + ack.")
public final class HttpLoad implements Callable<Integer> {
    @Option(names = "--server-jar", description = "The runnable server jar (default: the one in postroom-server/target).")
    Path serverJar;
    @Option(names = "--driver-dir", defaultValue = "postroom-bench/http-load", description = "Where http-load.mjs and its package.json are (default: ${DEFAULT-VALUE}).")
    Path driverDir;
    @Option(names = "--connections", defaultValue = "64", description = "Connections of each run (default: ${DEFAULT-VALUE}).")
    int connections;
    @Option(names = "--warmup", defaultValue = "5", description = "Seconds of warm-up before each run, not counted (default: ${DEFAULT-VALUE}).")
    int warmup;
    @Option(names = "--duration", defaultValue = "10", description = "Seconds of each measured run (default: ${DEFAULT-VALUE}).")
    int duration;
    @Option(names = "--only", description = "Some of the runs, comma-separated: singles, batches, batch-acks, single-acks (default: all).")
    String only;
    @Option(names = "--request-log", defaultValue = "on", description = "The server's POSTROOM_REQUEST_LOG, on (its default) or off (default: ${DEFAULT-VALUE}).")
    String requestLog;
    @Option(names = "--server-jvm-option", description = "An option for the server's JVM, e.g. -XX:StartFlightRecording=...; repeatable.")
    List<String> serverJvmOptions = new ArrayList<>();
    @Option(names = "--scoped", description = "Load with a token scoped to the load's queues (send:load-*, receive:load-*) instead of the admin token.")
    boolean scoped;
    @Option(names = "--keep-data", description = "Keep the server's data directory (with its server.log) instead of deleting it.")
    boolean keepData;

    public static void main(String[] args) {
        System.exit(new CommandLine(new HttpLoad()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(driverDir.resolve("http-load.mjs"))) {
            System.err.println("http-load: no " + driverDir.resolve("http-load.mjs") + "; run from the repository's root or pass --driver-dir");
            return 2;
        }
        if (!onPath("node") || !onPath("npm")) {
            System.out.println("http-load: skipped: node and npm are needed on the PATH (e.g. apt-get install nodejs npm)");
            return 0;
        }
        Path jar = serverJar != null ? serverJar : findServerJar();
        if (!Files.isDirectory(driverDir.resolve("node_modules"))) {
            System.out.println("http-load: npm ci in " + driverDir);
            int npm = run(new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(driverDir.toFile()));
            if (npm != 0) {
                System.err.println("http-load: npm ci failed (" + npm + ")");
                return npm;
            }
        }
        Path data = Files.createTempDirectory("postroom-http-load");
        String token = randomSecret();
        int status;
        System.out.println("http-load: server " + jar + ", data in " + data);
        try (ServerChild server = ServerChild.start(jar, serverJvmOptions, data,
                Map.of("POSTROOM_ADMIN_TOKEN", token, "POSTROOM_REQUEST_LOG", requestLog), 120)) {
            String url = "http://127.0.0.1:" + server.port();
            awaitReady(url, Duration.ofSeconds(60));
            System.out.println("http-load: server pid " + server.pid() + " ready at " + url + " (request log " + requestLog + ")");
            status = run(driver(url, token, server.pid()));
        } finally {
            if (!keepData) {
                deleteTree(data);
            }
        }
        return status;
    }

    private ProcessBuilder driver(String url, String token, long serverPid) {
        List<String> command = new ArrayList<>(List.of("node", "http-load.mjs", "--url", url,
                "--server-pid", Long.toString(serverPid), "--connections", Integer.toString(connections),
                "--warmup", Integer.toString(warmup), "--duration", Integer.toString(duration)));
        if (only != null) {
            command.addAll(List.of("--only", only));
        }
        if (scoped) {
            command.add("--scoped");
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(driverDir.toFile());
        // The token goes in the environment rather than the arguments, which any process listing shows.
        builder.environment().put("POSTROOM_TOKEN", token);
        return builder;
    }

    private static int run(ProcessBuilder builder) throws IOException, InterruptedException {
        return builder.inheritIO().start().waitFor();
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(java.io.File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    }

    private static Path findServerJar() throws IOException {
        Path target = Path.of("postroom-server", "target");
        if (Files.isDirectory(target)) {
            try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, "postroom-server-*-all.jar")) {
                for (Path jar : jars) {
                    return jar;
                }
            }
        }
        throw new IOException("no postroom-server/target/postroom-server-*-all.jar: build first "
                + "(./mvnw -q install -DskipTests) and run from the repository's root, or pass --server-jar");
    }

    /** The server says it listens before every route is in place; /health/ready is the real answer. */
    private static void awaitReady(String url, Duration timeout) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> response = client.send(HttpRequest.newBuilder(URI.create(url + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not accepting connections yet
            }
            Thread.sleep(100);
        }
        throw new IOException(url + "/health/ready did not answer 200 within " + timeout.toSeconds() + " s");
    }

    /** 32 random bytes, URL-safe: well over the server's minimum for an operator-chosen token. */
    private static String randomSecret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
