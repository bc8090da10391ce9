package dev.postroom.tck;

import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * A JVM on this test's class path that a crash test starts and kills: its stdout and stderr go to
 * {@code <name>.out} and {@code <name>.err} in a directory, logging goes to stderr at the level the
 * test asks for, and every failure message carries the tail of both, so a broken child explains
 * itself.
 */
public final class ChildJvm implements AutoCloseable {
    private static final int TAIL_CHARS = 20_000;

    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final String name;

    private ChildJvm(Process process, Path stdout, Path stderr, String name) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        this.name = name;
    }

    /**
     * Starts {@code main} with {@code args} in a JVM like this one (256 MiB, serial GC), its output in
     * {@code dir}; {@code logLevel} is the root level of its log on stderr.
     */
    public static ChildJvm start(Path dir, String name, String logLevel, Class<?> main, List<String> args) throws IOException {
        Path logback = dir.resolve("logback-" + logLevel.toLowerCase() + ".xml");
        if (!Files.exists(logback)) {
            Files.writeString(logback, """
                    <configuration>
                      <appender name="STDERR" class="ch.qos.logback.core.ConsoleAppender">
                        <target>System.err</target>
                        <encoder><pattern>%%d{HH:mm:ss.SSS} %%-5level [%%thread] %%logger{36} %%msg%%n</pattern></encoder>
                      </appender>
                      <root level="%s"><appender-ref ref="STDERR"/></root>
                    </configuration>
                    """.formatted(logLevel));
        }
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-XX:+UseSerialGC",
                "-Dlogback.configurationFile=" + logback, "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new ChildJvm(process, out, err, name);
    }

    /** The process. */
    public Process process() {
        return process;
    }

    /** What it printed to stdout so far. */
    public String stdout() throws IOException {
        return Files.readString(stdout);
    }

    /** Waits until its stdout holds {@code marker}; fails, with its output, if it exits or the time runs out first. */
    public void awaitReady(String marker, Duration timeout) throws IOException {
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(20))
                    .until(() -> !process.isAlive() || Files.readString(stdout).contains(marker));
        } catch (ConditionTimeoutException e) {
            fail(name + " was not ready within " + timeout + report());
        }
        if (!Files.readString(stdout).contains(marker)) {
            fail(name + " exited before it was ready, status " + (process.isAlive() ? "?" : process.exitValue()) + report());
        }
    }

    /**
     * Lets it run {@code millis}, then sends SIGKILL and waits for it to die; fails if it exited by
     * itself first or survived.
     *
     * @return its exit status (137 after SIGKILL on Linux)
     */
    public int runThenKill(long millis) throws InterruptedException {
        if (process.waitFor(millis, TimeUnit.MILLISECONDS)) {
            fail(name + " exited by itself with status " + process.exitValue() + report());
        }
        process.destroyForcibly(); // SIGKILL on Linux
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            fail(name + " survived SIGKILL" + report());
        }
        return process.exitValue();
    }

    /** Waits for it to exit by itself; fails (killing it) if it does not within {@code timeout}, or exits non-zero. */
    public void awaitSuccess(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            fail(name + " did not finish within " + timeout + report());
        }
        if (process.exitValue() != 0) {
            fail(name + " exited with status " + process.exitValue() + report());
        }
    }

    /** Its stdout and stderr (their tails), for a failure message. */
    public String report() {
        return "\n--- " + name + " stdout:\n" + tail(stdout) + "\n--- " + name + " stderr:\n" + tail(stderr);
    }

    private static String tail(Path file) {
        try {
            String text = Files.exists(file) ? Files.readString(file) : "(none)";
            return text.length() > TAIL_CHARS ? "…" + text.substring(text.length() - TAIL_CHARS) : text;
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Kills it if it still runs: a test that failed half-way leaves no process behind. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
