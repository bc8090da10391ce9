package dev.postroom.tck;

import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import dev.postroom.Workflow;
import dev.postroom.WorkflowPage;
import dev.postroom.WorkflowState;
import dev.postroom.WorkflowStatus;
import dev.postroom.WorkflowStep;
import dev.postroom.store.MessageStore;
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
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Workflows survive {@code kill -9}: a child JVM starts diamond workflows (a; b and c after a; d
 * after both) while handling every step and running workflow passes every 5 ms, and is killed
 * three times at random moments, often between a step's ack and the pass that releases what
 * follows it. A last child drains. Then every workflow whose start returned is SUCCEEDED, and every
 * step that waited was released exactly once: a kill neither lost a release nor doubled one.
 *
 * <p>A store runs it with a child class whose {@code main} opens the store from its arguments and
 * calls {@link #runChild}. The seed is printed; replay with {@code -Dpostroom.seed=<seed>}.
 */
public abstract class WorkflowKillNineContract {
    private static final Logger log = LoggerFactory.getLogger(WorkflowKillNineContract.class);
    private static final List<String> QUEUES = List.of("wf-a", "wf-b", "wf-c", "wf-d");
    private static final String READY = "WORKFLOW-CHILD READY";
    private static final int KILLS = 3;
    private static final int MIN_RUN_MILLIS = 400;
    private static final int MAX_RUN_MILLIS = 1500;
    private static final long MAX_CHILD_SECONDS = 180;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    protected Path tmp;

    private ChildJvm child;

    /** The class whose {@code main(String[])} opens the store from {@link #storeArguments()} and calls {@link #runChild}. */
    protected abstract Class<?> childClass();

    /** What the child needs to open the store (a directory, a database URL and schema), before the log and the mode. */
    protected abstract List<String> storeArguments();

    /** Opens the store the children wrote, in this process, once they are gone. */
    protected abstract MessageStore openStore();

    @AfterEach
    void killLeftoverChild() throws InterruptedException {
        if (child != null) {
            child.close();
        }
    }

    @Test
    void workflowsKilledBetweenAcksAndReleasesReleaseEachStepOnce() throws Exception {
        long seed = Long.getLong("postroom.seed", new SecureRandom().nextLong());
        log.info("seed={} (replay with -Dpostroom.seed={}) dir={}", seed, seed, tmp);
        Random random = new Random(seed);
        for (int cycle = 1; cycle <= KILLS; cycle++) {
            child = start(cycle, "run");
            child.awaitReady(READY, Duration.ofSeconds(60));
            int status = child.runThenKill(MIN_RUN_MILLIS + random.nextInt(MAX_RUN_MILLIS - MIN_RUN_MILLIS + 1));
            assertThat(status).as("exit status of cycle %d (128 + SIGKILL) with seed %d%s", cycle, seed, child.report()).isEqualTo(128 + 9);
        }
        child = start(KILLS + 1, "drain");
        child.awaitSuccess(Duration.ofSeconds(150));

        List<String> started = Files.readAllLines(startedLog());
        assertThat(started).as("workflows started before the kills").hasSizeGreaterThan(KILLS);
        try (Postroom postroom = Postroom.builder().store(openStore()).closeStore(true).maintenanceInterval(null).build()) {
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

    /**
     * The body of a child process on {@code store}. Both modes handle every step queue and run
     * maintenance every 5 ms. Mode {@code run} also starts diamond workflows until killed, appending
     * each one's id to {@code startedLog} (fsync'd) once its start completed. Mode {@code drain}
     * starts nothing, waits until no workflow is RUNNING, and exits 0.
     */
    public static void runChild(MessageStore store, Path startedLog, String mode) throws Exception {
        Thread.ofPlatform().daemon().start(() -> {
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(MAX_CHILD_SECONDS));
            Runtime.getRuntime().halt(3);
        });
        DurableLog started = DurableLog.open(startedLog, e -> die("started log write failed", e));
        Postroom postroom = Postroom.builder().store(store).closeStore(true).maintenanceInterval(Duration.ofMillis(5)).build();
        for (String queue : QUEUES) {
            // Short leases: on a shared database a killed child's leases hold its messages until they end.
            postroom.createQueue(queue, QueuePolicy.DEFAULT.withLease(Duration.ofSeconds(2)));
            postroom.handle(queue, Map.class, delivery -> delivery.id());
        }
        System.out.println(READY + " mode=" + mode);
        System.out.flush();
        if (mode.equals("drain")) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!postroom.workflows().list(WorkflowState.RUNNING, null, null, 1).workflows().isEmpty()) {
                if (System.nanoTime() > deadline) {
                    die("workflows still RUNNING after 120 s", null);
                }
                Thread.sleep(20);
            }
            postroom.close();
            started.close();
            System.exit(0);
        }
        for (int n = 0; ; n++) {
            Workflow diamond = Workflow.named("diamond")
                    .step("a", "wf-a", Map.of("n", n))
                    .step("b", "wf-b", Map.of("n", n), Workflow.after("a"))
                    .step("c", "wf-c", Map.of("n", n), Workflow.after("a"))
                    .step("d", "wf-d", Map.of("n", n), Workflow.after("b", "c"));
            started.append(postroom.workflows().start(diamond).join().id()).join();
            Thread.sleep(2);
        }
    }

    private static void die(String why, Throwable e) {
        System.err.println("WORKFLOW-CHILD FAILED: " + why + (e == null ? "" : ": " + e));
        System.err.flush();
        Runtime.getRuntime().halt(4);
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

    private Path startedLog() {
        return tmp.resolve("started.log");
    }

    private ChildJvm start(int cycle, String mode) throws IOException {
        List<String> args = new ArrayList<>(storeArguments());
        args.add(startedLog().toString());
        args.add(mode);
        return ChildJvm.start(tmp, "child-" + cycle, "WARN", childClass(), args);
    }
}
