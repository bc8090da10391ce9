package dev.postroom.store.sqlite.crash;

import dev.postroom.Postroom;
import dev.postroom.Workflow;
import dev.postroom.WorkflowState;
import dev.postroom.store.sqlite.SqliteMessageStore;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The process {@link WorkflowKillNineTest} kills. Arguments: {@code dataDir startedLog run|drain}.
 *
 * <p>Both modes handle every step queue and run maintenance every 5 ms, so steps are acked and
 * released all the time. Mode {@code run} also starts diamond workflows (a, then b and c, then d
 * after both) until killed, appending each one's id to the started log, fsync'd, once its start
 * completed. Mode {@code drain} starts nothing and waits until no workflow is RUNNING, then prints
 * {@value #DRAINED} and exits 0.
 */
public final class WorkflowCrashChild {
    static final List<String> QUEUES = List.of("wf-a", "wf-b", "wf-c", "wf-d");
    static final String READY = "WORKFLOW-CHILD READY";
    static final String DRAINED = "WORKFLOW-CHILD DRAINED";
    private static final long MAX_LIFETIME_SECONDS = 180;

    private WorkflowCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Thread.ofPlatform().daemon().start(() -> {
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(MAX_LIFETIME_SECONDS));
            Runtime.getRuntime().halt(3);
        });
        Path dataDir = Path.of(args[0]);
        DurableLog started = DurableLog.open(Path.of(args[1]), e -> die("started log write failed", e));
        Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(dataDir)).maintenanceInterval(Duration.ofMillis(5)).build();
        for (String queue : QUEUES) {
            postroom.createQueue(queue);
            postroom.handle(queue, Map.class, delivery -> delivery.id());
        }
        System.out.println(READY + " mode=" + args[2]);
        System.out.flush();
        if (args[2].equals("drain")) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!postroom.workflows().list(WorkflowState.RUNNING, null, null, 1).workflows().isEmpty()) {
                if (System.nanoTime() > deadline) {
                    die("workflows still RUNNING after 120 s", null);
                }
                Thread.sleep(20);
            }
            postroom.close();
            started.close();
            System.out.println(DRAINED);
            System.out.flush();
            System.exit(0);
        }
        for (int n = 0; ; n++) {
            Workflow diamond = Workflow.named("diamond")
                    .step("a", "wf-a", Map.of("n", n))
                    .step("b", "wf-b", Map.of("n", n), Workflow.after("a"))
                    .step("c", "wf-c", Map.of("n", n), Workflow.after("a"))
                    .step("d", "wf-d", Map.of("n", n), Workflow.after("b", "c"));
            String id = postroom.workflows().start(diamond).join().id();
            started.append(id).join();
            Thread.sleep(2);
        }
    }

    private static void die(String why, Throwable e) {
        System.err.println("WORKFLOW-CHILD FAILED: " + why + (e == null ? "" : ": " + e));
        System.err.flush();
        Runtime.getRuntime().halt(4);
    }
}
