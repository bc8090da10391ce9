package dev.postroom.store.sqlite.crash;

import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.WorkflowPage;
import dev.postroom.WorkflowState;
import dev.postroom.WorkflowStatus;
import dev.postroom.WorkflowStep;
import dev.postroom.store.sqlite.SqliteMessageStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Workflows survive {@code kill -9}: a child process starts diamond workflows (a; b and c after a; d
 * after both) while handling every step and running workflow passes every 5 ms, and is killed
 * three times at random moments, often between a step's ack and the pass that releases what
 * follows it. A last child drains. Then every workflow whose start returned is SUCCEEDED, and
 * every step that waited was released exactly once: a kill neither lost a release nor doubled one.
 * The seed is printed; replay with {@code -Dpostroom.seed=<seed>}.
 */
class WorkflowKillNineTest {
    private static final Logger log = LoggerFactory.getLogger(WorkflowKillNineTest.class);
    private static final int KILLS = 3;
    private static final int MIN_RUN_MILLIS = 400;
    private static final int MAX_RUN_MILLIS = 1500;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    private Process child;

    @AfterEach
    void killLeftoverChild() throws InterruptedException {
        if (child != null && child.isAlive()) {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void workflowsKilledBetweenAcksAndReleasesReleaseEachStepOnce() throws Exception {
        long seed = Long.getLong("postroom.seed", new SecureRandom().nextLong());
        log.info("seed={} (replay with -Dpostroom.seed={}) dir={}", seed, seed, tmp);
        Random random = new Random(seed);
        Files.writeString(tmp.resolve("logback-child.xml"), """
                <configuration>
                  <appender name="STDERR" class="ch.qos.logback.core.ConsoleAppender">
                    <target>System.err</target>
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} %msg%n</pattern></encoder>
                  </appender>
                  <root level="WARN"><appender-ref ref="STDERR"/></root>
                </configuration>
                """);
        for (int cycle = 1; cycle <= KILLS; cycle++) {
            child = start(cycle, "run");
            awaitReady(cycle);
            int millis = MIN_RUN_MILLIS + random.nextInt(MAX_RUN_MILLIS - MIN_RUN_MILLIS + 1);
            if (child.waitFor(millis, TimeUnit.MILLISECONDS)) {
                fail("child of cycle " + cycle + " exited by itself with status " + child.exitValue() + report(cycle));
            }
            child.destroyForcibly(); // SIGKILL on Linux
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child of cycle %d stopped", cycle).isTrue();
            assertThat(child.exitValue()).as("exit status of cycle %d (128 + SIGKILL) with seed %d%s", cycle, seed, report(cycle))
                    .isEqualTo(128 + 9);
        }
        int drain = KILLS + 1;
        child = start(drain, "drain");
        if (!child.waitFor(150, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            fail("draining child did not finish" + report(drain));
        }
        assertThat(child.exitValue()).as("drain exit status with seed %d%s", seed, report(drain)).isZero();

        List<String> started = Files.readAllLines(tmp.resolve("started.log"));
        assertThat(started).as("workflows started before the kills").hasSizeGreaterThan(KILLS);
        try (Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(tmp.resolve("data"))).build()) {
            List<WorkflowStatus> all = all(postroom);
            assertThat(all).extracting(WorkflowStatus::id).as("seed %d", seed).containsAll(started);
            for (WorkflowStatus workflow : all) {
                assertThat(workflow.state()).as("workflow %s (seed %d)", workflow.id(), seed).isEqualTo(WorkflowState.SUCCEEDED);
                for (WorkflowStep step : workflow.steps()) {
                    Message message = postroom.get(step.messageId()).orElseThrow();
                    assertThat(message.state()).isEqualTo(MessageState.SUCCEEDED);
                    long releases = message.timeline().stream().filter(e -> e.reason().startsWith("released")).count();
                    assertThat(releases).as("releases of step %s of %s (seed %d)", step.name(), workflow.id(), seed)
                            .isEqualTo(step.after().isEmpty() ? 0 : 1);
                }
            }
            log.info("kills={} workflows={} (started and logged {})", KILLS, all.size(), started.size());
        }
    }

    private static List<WorkflowStatus> all(Postroom postroom) {
        List<WorkflowStatus> all = new ArrayList<>();
        String after = null;
        do {
            WorkflowPage page = postroom.workflows().list(null, null, after, 500);
            all.addAll(page.workflows());
            after = page.next();
        } while (after != null);
        return all;
    }

    private Process start(int cycle, String mode) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-XX:+UseSerialGC",
                "-Dlogback.configurationFile=" + tmp.resolve("logback-child.xml"),
                "-cp", System.getProperty("java.class.path"), WorkflowCrashChild.class.getName(),
                tmp.resolve("data").toString(), tmp.resolve("started.log").toString(), mode)
                .redirectOutput(tmp.resolve("child-" + cycle + ".out").toFile())
                .redirectError(tmp.resolve("child-" + cycle + ".err").toFile())
                .start();
    }

    private void awaitReady(int cycle) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> !child.isAlive()
                || Files.readString(tmp.resolve("child-" + cycle + ".out")).contains(WorkflowCrashChild.READY));
        if (!child.isAlive()) {
            fail("child of cycle " + cycle + " exited before it was ready" + report(cycle));
        }
    }

    private String report(int cycle) {
        return "\n--- stdout:\n" + read(tmp.resolve("child-" + cycle + ".out")) + "\n--- stderr:\n" + read(tmp.resolve("child-" + cycle + ".err"));
    }

    private static String read(Path file) {
        try {
            String text = Files.exists(file) ? Files.readString(file) : "(none)";
            return text.length() > 20_000 ? "…" + text.substring(text.length() - 20_000) : text;
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
