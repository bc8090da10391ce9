package dev.postroom.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code postroom server} in a child JVM, started from the runnable jar with the same
 * arguments each time: {@link #start()} after a {@link #kill()} brings it back on the same data
 * directory (or the same PostgreSQL schema) under the same node name, on a new port. Its output
 * goes to {@code <name>.log} in the campaign's directory, appended across restarts.
 */
final class ServerNode implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    /** SIGKILL's exit status as the JDK reports it (128 + 9): proof that the kill was a SIGKILL. */
    static final int KILLED_BY_SIGKILL = 137;

    private final String name;
    private final List<String> command;
    private final String token;
    private final Path log;
    private volatile Process process;
    private volatile int port;

    private ServerNode(String name, List<String> command, String token, Path log) {
        this.name = name;
        this.command = command;
        this.token = token;
        this.log = log;
    }

    /**
     * A node to be started: {@code java JVM_OPTIONS -jar serverJar server ARGS --host 127.0.0.1 --port 0 --node NAME}.
     * The admin token and password come through the environment, as an operator would set them.
     */
    static ServerNode of(String name, Path serverJar, List<String> jvmOptions, String token, Path dir, List<String> serverArgs) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx384m"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", serverJar.toString(), "server"));
        command.addAll(serverArgs);
        command.addAll(List.of("--host", "127.0.0.1", "--port", "0", "--node", name, "--shutdown-seconds", "1"));
        return new ServerNode(name, List.copyOf(command), token, dir.resolve(name + ".log"));
    }

    String name() {
        return name;
    }

    /** Starts the JVM and waits until it listens (at most {@code timeoutSeconds}); returns its port. */
    int start(long timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("POSTROOM_ADMIN_TOKEN", token);
        builder.environment().put("POSTROOM_ADMIN_PASSWORD", "chaos-campaign-password");
        Process started = builder.start();
        CompletableFuture<Integer> listening = new CompletableFuture<>();
        Thread.ofVirtual().name("output-" + name).start(() -> copyOutput(started, listening));
        try {
            port = listening.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            started.destroyForcibly();
            throw new IOException(name + " did not start listening within " + timeoutSeconds + " s; see " + log, e);
        }
        process = started;
        return port;
    }

    /** Copies the node's output to its log file, and reports the port of its "listening on" line. */
    private void copyOutput(Process started, CompletableFuture<Integer> listening) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter file = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                     StandardOpenOption.CREATE, StandardOpenOption.APPEND), true)) {
            file.println("---- chaos: started " + name + " (pid " + started.pid() + ")");
            String line;
            while ((line = out.readLine()) != null) {
                file.println(line);
                Matcher m = LISTENING.matcher(line);
                if (!listening.isDone() && m.find()) {
                    listening.complete(Integer.parseInt(m.group(1)));
                }
            }
            file.println("---- chaos: " + name + " exited");
        } catch (IOException | UncheckedIOException closedWithTheProcess) {
            // the process is gone: nothing more to copy
        } finally {
            listening.completeExceptionally(new IOException(name + " exited before listening"));
        }
    }

    /** The port of the running JVM; meaningless while it is down. */
    int port() {
        return port;
    }

    boolean alive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /**
     * SIGKILL ({@link Process#destroyForcibly()} is {@code kill(pid, SIGKILL)} on Linux), then waits
     * until the JVM is gone; returns its exit status, {@value #KILLED_BY_SIGKILL} for a SIGKILL.
     */
    int kill() throws InterruptedException {
        Process p = process;
        if (p == null) {
            return -1;
        }
        p.destroyForcibly();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " (pid " + p.pid() + ") still runs 30 s after SIGKILL");
        }
        return p.exitValue();
    }

    /** Stops the JVM (SIGKILL: nothing is left to check once the campaign ends). */
    @Override
    public void close() throws InterruptedException {
        if (alive()) {
            kill();
        }
    }

    @Override
    public String toString() {
        Process p = process;
        return name + (p == null ? "" : " pid=" + p.pid() + " port=" + port);
    }
}
