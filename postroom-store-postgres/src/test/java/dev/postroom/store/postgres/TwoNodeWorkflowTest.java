package dev.postroom.store.postgres;

import dev.postroom.Message;
import dev.postroom.Postroom;
import dev.postroom.ReceiveOptions;
import dev.postroom.ReceivedMessage;
import dev.postroom.StartedWorkflow;
import dev.postroom.Workflow;
import dev.postroom.WorkflowState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A workflow step is released exactly once when the steps it follows finish on different nodes at
 * the same moment and both nodes run their workflow passes at once: the passes race for the same
 * workflows, and only one may release each step.
 */
class TwoNodeWorkflowTest {
    private static final String LEFT = "left";
    private static final String RIGHT = "right";
    private static final String JOIN = "join";

    private TestDatabase.Schema schema;
    private Postroom a;
    private Postroom b;

    @BeforeEach
    void newSchema() {
        schema = TestDatabase.newSchema();
    }

    @AfterEach
    void close() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
        if (schema != null) {
            schema.drop();
        }
    }

    private Postroom node(String name, Duration maintenance) {
        return Postroom.builder().store(PostgresMessageStore.open(schema.options())).node(name)
                .maintenanceInterval(maintenance).build();
    }

    /** Workflows whose join step follows a left and a right step, started on both nodes. */
    private List<StartedWorkflow> startFanIns(int count) {
        List<StartedWorkflow> started = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Workflow fanIn = Workflow.named("fan-in").step("left", LEFT, Map.of("n", i)).step("right", RIGHT, Map.of("n", i))
                    .step("join", JOIN, Map.of("n", i), Workflow.after("left", "right"));
            started.add((i % 2 == 0 ? a : b).workflows().start(fanIn).join());
        }
        return started;
    }

    private static List<ReceivedMessage> drain(Postroom node, String queue) throws InterruptedException {
        List<ReceivedMessage> all = new ArrayList<>();
        List<ReceivedMessage> received;
        while (!(received = node.receive(queue, new ReceiveOptions(100, Duration.ZERO, Duration.ofMinutes(5)))).isEmpty()) {
            all.addAll(received);
        }
        return all;
    }

    private static long releases(Message message) {
        return message.timeline().stream().filter(e -> e.reason().startsWith("released")).count();
    }

    @Test
    void stepsFinishingOnTwoNodesWithPassesRacingReleaseTheirFollowerOnce() throws Exception {
        a = node("node-a", null);
        b = node("node-b", null);
        for (String queue : List.of(LEFT, RIGHT, JOIN)) {
            a.createQueue(queue);
        }
        List<StartedWorkflow> started = startFanIns(40);
        List<ReceivedMessage> lefts = drain(a, LEFT);
        List<ReceivedMessage> rights = drain(b, RIGHT);

        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Void>> work = new ArrayList<>();
        work.add(CompletableFuture.runAsync(() -> {
            awaitGo(go);
            lefts.forEach(m -> a.ack(m.id(), m.leaseId(), "left of " + m.id()));
        }));
        work.add(CompletableFuture.runAsync(() -> {
            awaitGo(go);
            rights.forEach(m -> b.ack(m.id(), m.leaseId(), "right of " + m.id()));
        }));
        for (int pass = 0; pass < 6; pass++) {
            Postroom node = pass % 2 == 0 ? a : b;
            work.add(CompletableFuture.runAsync(() -> {
                awaitGo(go);
                for (int i = 0; i < 5; i++) {
                    node.runMaintenance();
                }
            }));
        }
        go.countDown();
        for (CompletableFuture<Void> w : work) {
            w.get();
        }
        a.runMaintenance();
        b.runMaintenance();

        List<ReceivedMessage> joins = drain(a, JOIN);
        assertThat(joins).extracting(ReceivedMessage::id)
                .containsExactlyInAnyOrderElementsOf(started.stream().map(s -> s.messageId("join")).toList());
        for (StartedWorkflow workflow : started) {
            Message join = a.get(workflow.messageId("join")).orElseThrow();
            assertThat(releases(join)).as("releases of %s", join.id()).isEqualTo(1);
            assertThat(a.workflows().context(join.id()).orElseThrow().resultSteps()).containsExactlyInAnyOrder("left", "right");
        }
    }

    @Test
    void workflowsRunByHandlersOnBothNodesSucceedWithEachStepReleasedOnce() {
        a = node("node-a", Duration.ofMillis(5));
        b = node("node-b", Duration.ofMillis(5));
        for (String queue : List.of(LEFT, RIGHT, JOIN)) {
            a.createQueue(queue);
            a.handle(queue, Map.class, delivery -> delivery.id());
            b.handle(queue, Map.class, delivery -> delivery.id());
        }

        List<StartedWorkflow> started = startFanIns(30);

        for (StartedWorkflow workflow : started) {
            assertThat(workflow.outcome()).succeedsWithin(Duration.ofSeconds(60))
                    .satisfies(s -> assertThat(s.state()).isEqualTo(WorkflowState.SUCCEEDED));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> started.stream()
                .allMatch(s -> b.workflows().get(s.id()).state() == WorkflowState.SUCCEEDED));
        for (StartedWorkflow workflow : started) {
            Message join = b.get(workflow.messageId("join")).orElseThrow();
            assertThat(releases(join)).isEqualTo(1);
            assertThat(join.attempt()).isEqualTo(1);
        }
    }

    private static void awaitGo(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
