package dev.postroom.store.postgres;

import dev.postroom.BatchOptions;
import dev.postroom.BatchResult;
import dev.postroom.OutgoingMessage;
import dev.postroom.Postroom;
import dev.postroom.ReceiveOptions;
import dev.postroom.ReceivedMessage;
import dev.postroom.Batches;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A batch's completion message is sent exactly once when two nodes, each with its own store on one
 * schema, run maintenance at the same time: their completion passes race for the same finished
 * batches, and only one may store each batch's message.
 */
class TwoNodeBatchTest {
    private static final String JOBS = "exports";
    private static final String DONE = "exports-done";

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

    private List<BatchResult> sendBatches(int batches, int members) {
        List<BatchResult> sent = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
            int batch = i;
            List<OutgoingMessage> messages = IntStream.range(0, members).mapToObj(m -> OutgoingMessage.of(Map.of("batch", batch, "n", m))).toList();
            sent.add((i % 2 == 0 ? a : b).batches().send(JOBS, messages, BatchOptions.onComplete(DONE, Map.of("batch", batch))).join());
        }
        return sent;
    }

    /** The batch id of every completion message stored, one entry per message. */
    private List<String> completionMessages() throws InterruptedException {
        List<String> batchIds = new ArrayList<>();
        List<ReceivedMessage> received;
        while (!(received = a.receive(DONE, new ReceiveOptions(100, Duration.ZERO, Duration.ofMinutes(5)))).isEmpty()) {
            received.forEach(m -> batchIds.add(m.headers().get(Batches.ID_HEADER)));
        }
        return batchIds;
    }

    @Test
    void passesRacingOnTwoNodesSendEachCompletionMessageOnce() throws Exception {
        a = node("node-a", null);
        b = node("node-b", null);
        a.createQueue(JOBS);
        a.createQueue(DONE);
        List<BatchResult> sent = sendBatches(40, 3);
        List<ReceivedMessage> members;
        while (!(members = b.receive(JOBS, new ReceiveOptions(100, Duration.ZERO, null))).isEmpty()) {
            members.forEach(m -> b.ack(m.id(), m.leaseId(), null));
        }

        for (int round = 0; round < 3; round++) {
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<Void>> passes = new ArrayList<>();
            for (Postroom node : List.of(a, b, a, b)) {
                passes.add(CompletableFuture.runAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    node.runMaintenance();
                }));
            }
            go.countDown();
            for (CompletableFuture<Void> pass : passes) {
                pass.get();
            }
        }

        assertThat(completionMessages()).containsExactlyInAnyOrderElementsOf(sent.stream().map(BatchResult::batchId).toList());
        for (BatchResult batch : sent) {
            assertThat(b.batches().get(batch.batchId()).isComplete()).isTrue();
        }
    }

    @Test
    void batchesHandledOnBothNodesWithMaintenanceRunningOnBothCompleteOnce() throws Exception {
        a = node("node-a", Duration.ofMillis(5));
        b = node("node-b", Duration.ofMillis(5));
        a.createQueue(JOBS);
        a.createQueue(DONE);
        a.handle(JOBS, Map.class, delivery -> null);
        b.handle(JOBS, Map.class, delivery -> null);

        List<BatchResult> sent = sendBatches(30, 5);

        await().atMost(Duration.ofSeconds(60)).until(() -> sent.stream().allMatch(s -> a.batches().get(s.batchId()).isComplete()));
        // A few more passes on both nodes: a completed batch is never completed again.
        a.runMaintenance();
        b.runMaintenance();
        assertThat(a.queue(DONE).counts().ready()).isEqualTo(30);
        assertThat(completionMessages()).containsExactlyInAnyOrderElementsOf(sent.stream().map(BatchResult::batchId).toList());
    }
}
