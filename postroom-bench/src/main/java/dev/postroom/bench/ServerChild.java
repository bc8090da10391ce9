package dev.postroom.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real {@code postroom server} in a child JVM, started from its runnable jar on the embedded
 * SQLite store in {@code dataDir}, bound to 127.0.0.1 on a free port ({@code --port 0}, the port
 * read from its "listening on" line, so no other process can take it in between). Its output goes
 * to {@code server.log} in the data directory. {@link #close()} stops it as an operator would
 * (SIGTERM), so a flight recording started with {@code -XX:StartFlightRecording} is written out.
 */
final class ServerChild implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final int port;

    private ServerChild(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts {@code java JVM_OPTIONS -jar serverJar server --data dataDir --host 127.0.0.1 --port 0}
     * with {@code environment} added (the admin token among it, as an operator would set it) and
     * waits at most {@code timeoutSeconds} for it to listen.
     */
    static ServerChild start(Path serverJar, List<String> jvmOptions, Path dataDir, Map<String, String> environment,
                             long timeoutSeconds) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", serverJar.toString(), "server", "--data", dataDir.toString(),
                "--host", "127.0.0.1", "--port", "0"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        Path log = dataDir.resolve("server.log");
        CompletableFuture<Integer> listening = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("server-output").start(() -> copyOutput(process, log, listening));
        try {
            return new ServerChild(process, listening.get(timeoutSeconds, TimeUnit.SECONDS));
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IOException("the server did not start listening within " + timeoutSeconds + " s; see " + log, e);
        }
    }

    /** Copies the server's output to its log, and reports the port of its "listening on" line. */
    private static void copyOutput(Process process, Path log, CompletableFuture<Integer> listening) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter file = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
            String line;
            while ((line = out.readLine()) != null) {
                file.println(line);
                Matcher m = LISTENING.matcher(line);
                if (!listening.isDone() && m.find()) {
                    listening.complete(Integer.parseInt(m.group(1)));
                }
            }
        } catch (IOException | UncheckedIOException closedWithTheProcess) {
            // the process is gone: nothing more to copy
        } finally {
            listening.completeExceptionally(new IOException("the server exited before listening"));
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** SIGTERM, then up to 60 s for a clean exit (a flight recording is written on the way); then SIGKILL. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
