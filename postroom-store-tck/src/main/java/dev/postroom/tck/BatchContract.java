package dev.postroom.tck;

import dev.postroom.Backoff;
import dev.postroom.BatchNotFoundException;
import dev.postroom.BatchOptions;
import dev.postroom.BatchPage;
import dev.postroom.BatchResult;
import dev.postroom.BatchStatus;
import dev.postroom.Batches;
import dev.postroom.InvalidMessageException;
import dev.postroom.Message;
import dev.postroom.MessagePage;
import dev.postroom.MessageState;
import dev.postroom.MessageSummary;
import dev.postroom.MessageTooLargeException;
import dev.postroom.OutgoingMessage;
import dev.postroom.Postroom;
import dev.postroom.QueueNotFoundException;
import dev.postroom.QueuePolicy;
import dev.postroom.RawJson;
import dev.postroom.ReceivedMessage;
import dev.postroom.SendOptions;
import dev.postroom.StateCounts;
import dev.postroom.Batches;
import dev.postroom.Futures;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Batches ({@link Batches}): a batch and its members are stored all or nothing; its counts follow
 * the members as they move; once no member is pending, maintenance completes it and sends its
 * completion message exactly once (with the final counts in {@code postroom-batch-*} headers), never
 * while a member is still to be retried, and never again after a member is redriven; batches survive
 * a restart. Driven by the {@link FakeClock} and {@code runMaintenance()}.
 */
public abstract class BatchContract extends ContractSupport {
    private static final String QUEUE = "refunds";
    private static final String REPORTS = "reports";
    private static final Backoff ONE_MINUTE = new Backoff(Duration.ofMinutes(1), Duration.ofMinutes(1), 1.0);

    private Batches batches() {
        return postroom.batches();
    }

    private void createQueues() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(2).withBackoff(ONE_MINUTE));
        createQueue(REPORTS);
    }

    private static List<OutgoingMessage> payloads(int count) {
        return IntStream.range(0, count).mapToObj(i -> OutgoingMessage.of(Map.of("refund", i))).toList();
    }

    /** Sends a batch and waits until it is durable; remembers the members for the invariants. */
    private BatchResult sendBatch(int members, BatchOptions options) {
        BatchResult result = Futures.join(batches().send(QUEUE, payloads(members), options));
        track(result.messageIds());
        return result;
    }

    private static BatchOptions reportWhenDone() {
        return BatchOptions.onComplete(REPORTS, Map.of("report", "refunds-2026-11")).withCompletionHeaders(Map.of("tenant", "acme"));
    }

    /** Runs maintenance and remembers what it may have sent. */
    private void maintain() {
        postroom.runMaintenance();
        trackCompletionMessages();
    }

    private void trackCompletionMessages() {
        for (BatchStatus status : batches().list(null, 500).batches()) {
            if (status.completionMessageId() != null) {
                track(List.of(status.completionMessageId()));
            }
        }
    }

    /** Leases every READY member of {@link #QUEUE} and acks it. */
    private void ackAll() {
        for (ReceivedMessage m : receive(QUEUE, 100)) {
            postroom.ack(m.id(), m.leaseId(), null);
        }
    }

    // ---------------------------------------------------------------- sending

    @Test
    void aBatchStoresEveryMemberWithItsBatchId() {
        createQueues();

        BatchResult sent = sendBatch(3, BatchOptions.NONE);

        assertThat(sent.messages()).hasSize(3).allSatisfy(r -> {
            assertThat(r.state()).isEqualTo(MessageState.READY);
            assertThat(r.duplicate()).isFalse();
        });
        for (String id : sent.messageIds()) {
            assertThat(message(id).batchId()).as("batch of %s", id).isEqualTo(sent.batchId());
        }
        BatchStatus status = batches().get(sent.batchId());
        assertThat(status.id()).isEqualTo(sent.batchId());
        assertThat(status.queue()).isEqualTo(QUEUE);
        assertThat(status.createdAt()).isEqualTo(START);
        assertThat(status.total()).isEqualTo(3);
        assertThat(status.pending()).isEqualTo(3);
        assertThat(status.isComplete()).isFalse();
        assertThat(status.completionQueue()).isNull();
        MessagePage members = batches().members(sent.batchId(), null, 500);
        assertThat(members.messages()).extracting(MessageSummary::id).containsExactlyElementsOf(sent.messageIds());
        assertThat(members.messages()).extracting(MessageSummary::batchId).containsOnly(sent.batchId());
        assertThat(members.next()).isNull();
    }

    @Test
    void aMessageSentOutsideABatchHasNoBatchId() {
        createQueues();
        String id = sendId(QUEUE, "alone");

        assertThat(message(id).batchId()).isNull();
    }

    @Test
    void anInvalidMemberStoresNothing() {
        createQueues();
        List<OutgoingMessage> messages = new ArrayList<>(payloads(2));
        messages.add(new OutgoingMessage("late", SendOptions.builder().priority(12).build()));

        assertThatThrownBy(() -> batches().send(QUEUE, messages, reportWhenDone()))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("messages[2].priority"));

        assertQueueHoldsNothing(QUEUE);
        assertThat(batches().list(null, 10).batches()).isEmpty();
    }

    @Test
    void aMemberWithAnIdempotencyKeyIsRefused() {
        createQueues();
        List<OutgoingMessage> messages = List.of(OutgoingMessage.of(1),
                new OutgoingMessage(2, SendOptions.builder().idempotencyKey("refund-2").build()));

        assertThatThrownBy(() -> batches().send(QUEUE, messages, BatchOptions.NONE))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("messages[1].idempotencyKey"));
        assertQueueHoldsNothing(QUEUE);
    }

    @Test
    void anInvalidCompletionMessageStoresNothing() {
        createQueues();

        assertThatThrownBy(() -> batches().send(QUEUE, payloads(2), BatchOptions.onComplete("no-such-queue", 1)))
                .isInstanceOf(QueueNotFoundException.class);
        assertThatThrownBy(() -> batches().send(QUEUE, payloads(2),
                BatchOptions.onComplete(REPORTS, 1).withCompletionHeaders(Map.of(Batches.TOTAL_HEADER, "5"))))
                .isInstanceOfSatisfying(InvalidMessageException.class,
                        e -> assertThat(e.field()).isEqualTo("onComplete.headers." + Batches.TOTAL_HEADER));
        String huge = "x".repeat(postroom.limits().maxPayloadBytes());
        assertThatThrownBy(() -> batches().send(QUEUE, payloads(2), BatchOptions.onComplete(REPORTS, huge)))
                .isInstanceOfSatisfying(MessageTooLargeException.class, e -> assertThat(e.field()).isEqualTo("onComplete.payload"));

        assertQueueHoldsNothing(QUEUE);
        assertQueueHoldsNothing(REPORTS);
        assertThat(batches().list(null, 10).batches()).isEmpty();
    }

    /** The store itself refuses (the engine's catalog still knew the queue): neither the batch nor any member remains. */
    @Test
    void aBatchTheStoreRefusesLeavesNoBatchBehind() {
        createQueues();
        createQueue("doomed");
        track(Futures.join(batches().send("doomed", payloads(1), BatchOptions.NONE)).messageIds());
        Futures.join(store.deleteQueue("doomed", true));

        CompletableFuture<BatchResult> refused = batches().send("doomed", payloads(3), reportWhenDone());

        assertThatThrownBy(() -> Futures.join(refused)).isInstanceOf(QueueNotFoundException.class);

        assertThat(batches().list(null, 10).batches()).hasSize(1);
        assertThat(batches().list(null, 10).batches().getFirst().deleted()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- counts

    @Test
    void countsFollowTheMembersAsTheyMove() {
        createQueues();
        BatchResult sent = sendBatch(5, BatchOptions.NONE);
        List<String> ids = sent.messageIds();

        ReceivedMessage first = receiveOne(QUEUE);
        assertThat(batches().get(sent.batchId()).pending()).as("an in-flight member is pending").isEqualTo(5);
        postroom.ack(first.id(), first.leaseId(), null);
        postroom.cancel(ids.get(1));
        ReceivedMessage third = receiveOne(QUEUE);
        postroom.nack(third.id(), third.leaseId(), "declined", null, Duration.ZERO);
        ReceivedMessage again = receiveOne(QUEUE);
        assertThat(postroom.nack(again.id(), again.leaseId(), "declined again", null, null)).isEqualTo(MessageState.DEAD);
        assertThat(postroom.delete(ids.get(3))).isTrue();

        BatchStatus status = batches().get(sent.batchId());
        assertThat(status.total()).isEqualTo(5);
        assertThat(status.succeeded()).isEqualTo(1);
        assertThat(status.cancelled()).isEqualTo(1);
        assertThat(status.failed()).isEqualTo(1);
        assertThat(status.deleted()).isEqualTo(1);
        assertThat(status.pending()).isEqualTo(1);
        assertThat(status.ended()).isEqualTo(4);
        assertThat(batches().members(sent.batchId(), null, 500).messages()).extracting(MessageSummary::state)
                .containsExactly(MessageState.SUCCEEDED, MessageState.CANCELLED, MessageState.DEAD, MessageState.READY);
    }

    // ---------------------------------------------------------------- completion

    @Test
    void theCompletionMessageIsSentExactlyOnceWhenEveryMemberHasEnded() {
        createQueues();
        BatchResult sent = sendBatch(3, reportWhenDone());
        ReceivedMessage first = receiveOne(QUEUE);
        postroom.ack(first.id(), first.leaseId(), null);
        maintain();

        assertThat(batches().get(sent.batchId()).isComplete()).as("two members pending").isFalse();
        assertQueueHoldsNothing(REPORTS);

        ackAll();
        clock.advance(Duration.ofSeconds(3));
        maintain();
        maintain();
        clock.advance(Duration.ofMinutes(5));
        maintain();

        BatchStatus status = batches().get(sent.batchId());
        assertThat(status.isComplete()).isTrue();
        assertThat(status.completedAt()).isEqualTo(START.plusSeconds(3));
        assertThat(status.completionQueue()).isEqualTo(REPORTS);
        assertThat(counts(REPORTS)).isEqualTo(new StateCounts(0, 1, 0, 0, 0, 0));
        ReceivedMessage report = receiveOne(REPORTS);
        assertThat(report.id()).isEqualTo(status.completionMessageId());
        assertSameJson(report.payloadJson(), Map.of("report", "refunds-2026-11"));
        assertThat(report.headers()).containsEntry("tenant", "acme")
                .containsEntry(Batches.ID_HEADER, sent.batchId())
                .containsEntry(Batches.TOTAL_HEADER, "3")
                .containsEntry(Batches.SUCCEEDED_HEADER, "3")
                .containsEntry(Batches.FAILED_HEADER, "0")
                .containsEntry(Batches.CANCELLED_HEADER, "0")
                .containsEntry(Batches.DELETED_HEADER, "0");
        Message stored = message(report.id());
        assertThat(stored.batchId()).as("the completion message is no member").isNull();
        assertThat(stored.timeline().getFirst().node()).isEqualTo(NODE);
    }

    @Test
    void noCompletionWhileAMemberWaitsToBeRetried() {
        createQueues();
        BatchResult sent = sendBatch(2, reportWhenDone());
        ReceivedMessage a = receiveOne(QUEUE);
        ReceivedMessage b = receiveOne(QUEUE);
        postroom.ack(a.id(), a.leaseId(), null);
        assertThat(postroom.nack(b.id(), b.leaseId(), "bank offline", null, null)).isEqualTo(MessageState.SCHEDULED);

        maintain();
        assertThat(batches().get(sent.batchId()).isComplete()).as("member waiting for its retry").isFalse();
        clock.advance(Duration.ofMinutes(1));
        maintain();
        assertThat(stateOf(b.id())).isEqualTo(MessageState.READY);
        assertThat(batches().get(sent.batchId()).isComplete()).as("member ready again").isFalse();
        ReceivedMessage retried = receiveOne(QUEUE);
        maintain();
        assertThat(batches().get(sent.batchId()).isComplete()).as("member in flight").isFalse();
        assertQueueHoldsNothing(REPORTS);

        postroom.ack(retried.id(), retried.leaseId(), null);
        maintain();

        assertThat(batches().get(sent.batchId()).succeeded()).isEqualTo(2);
        assertThat(batches().get(sent.batchId()).isComplete()).isTrue();
        assertThat(counts(REPORTS).ready()).isEqualTo(1);
    }

    @Test
    void completionWithDeadCancelledAndDeletedMembersReportsThem() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(1));
        createQueue(REPORTS);
        BatchResult sent = sendBatch(4, reportWhenDone());
        List<String> ids = sent.messageIds();
        ReceivedMessage acked = receiveOne(QUEUE);
        postroom.ack(acked.id(), acked.leaseId(), null);
        ReceivedMessage died = receiveOne(QUEUE);
        assertThat(postroom.nack(died.id(), died.leaseId(), "declined", null, null)).isEqualTo(MessageState.DEAD);
        postroom.cancel(ids.get(2));
        postroom.delete(ids.get(3));

        maintain();

        BatchStatus status = batches().get(sent.batchId());
        assertThat(status.isComplete()).isTrue();
        assertThat(List.of(status.succeeded(), status.failed(), status.cancelled(), status.deleted(), status.pending()))
                .containsExactly(1L, 1L, 1L, 1L, 0L);
        ReceivedMessage report = receiveOne(REPORTS);
        assertThat(report.headers()).containsEntry(Batches.TOTAL_HEADER, "4")
                .containsEntry(Batches.SUCCEEDED_HEADER, "1")
                .containsEntry(Batches.FAILED_HEADER, "1")
                .containsEntry(Batches.CANCELLED_HEADER, "1")
                .containsEntry(Batches.DELETED_HEADER, "1");
    }

    @Test
    void membersPastTheirTtlEndTheBatchInTheSamePass() {
        createQueues();
        List<OutgoingMessage> expiring = List.of(new OutgoingMessage("soon", SendOptions.builder().ttl(Duration.ofSeconds(30)).build()));
        BatchResult sent = Futures.join(batches().send(QUEUE, expiring, reportWhenDone()));
        track(sent.messageIds());

        clock.advance(Duration.ofSeconds(31));
        maintain();

        assertThat(stateOf(sent.messageIds().getFirst())).isEqualTo(MessageState.DEAD);
        assertThat(batches().get(sent.batchId()).isComplete()).isTrue();
        assertThat(receiveOne(REPORTS).headers()).containsEntry(Batches.FAILED_HEADER, "1");
    }

    @Test
    void noCompletionMessageWhenNoneWasAskedFor() {
        createQueues();
        BatchResult sent = sendBatch(2, BatchOptions.NONE);
        ackAll();

        maintain();

        BatchStatus status = batches().get(sent.batchId());
        assertThat(status.isComplete()).isTrue();
        assertThat(status.completionMessageId()).isNull();
        assertThat(status.succeeded()).isEqualTo(2);
        assertQueueHoldsNothing(REPORTS);
        assertThat(counts(QUEUE)).isEqualTo(new StateCounts(0, 0, 0, 2, 0, 0));
    }

    @Test
    void aBatchWhoseCompletionQueueWasDeletedCompletesWithoutTheMessage() {
        createQueues();
        createQueue("short-lived");
        BatchResult sent = sendBatch(1, BatchOptions.onComplete("short-lived", "done"));
        postroom.deleteQueue("short-lived", true);
        ackAll();

        maintain();

        BatchStatus status = batches().get(sent.batchId());
        assertThat(status.isComplete()).isTrue();
        assertThat(status.completionMessageId()).isNull();
        assertThat(status.completionQueue()).isEqualTo("short-lived");
    }

    @Test
    void aMemberRedrivenAfterCompletionDoesNotCompleteTheBatchAgain() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(1));
        createQueue(REPORTS);
        BatchResult sent = sendBatch(1, reportWhenDone());
        ReceivedMessage died = receiveOne(QUEUE);
        postroom.nack(died.id(), died.leaseId(), "declined", null, null);
        maintain();
        String completion = batches().get(sent.batchId()).completionMessageId();
        assertThat(completion).isNotNull();

        assertThat(postroom.redrive(QUEUE)).isEqualTo(1);
        assertThat(batches().get(sent.batchId()).pending()).as("the redriven member is pending again").isEqualTo(1);
        ackAll();
        clock.advance(Duration.ofSeconds(1));
        maintain();

        BatchStatus status = batches().get(sent.batchId());
        assertThat(status.completionMessageId()).isEqualTo(completion);
        assertThat(status.completedAt()).isEqualTo(START);
        assertThat(status.succeeded()).isEqualTo(1);
        assertThat(counts(REPORTS).ready()).as("still one completion message").isEqualTo(1);
    }

    /** Two engines on one store, their passes racing: one completion message per batch. */
    @Test
    void twoEnginesRunningMaintenanceAtOnceCompleteEachBatchOnce() throws Exception {
        createQueues();
        List<BatchResult> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add(sendBatch(2, reportWhenDone()));
        }
        ackAll();
        try (Postroom other = Postroom.builder().store(store).closeStore(false).clock(clock).maintenanceInterval(null)
                .random(new Random(seed)).node("tck-node-2").build()) {
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<Void>> passes = new ArrayList<>();
            for (Postroom engine : List.of(postroom, other, postroom, other)) {
                passes.add(CompletableFuture.runAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    engine.runMaintenance();
                }));
            }
            go.countDown();
            for (CompletableFuture<Void> pass : passes) {
                pass.get();
            }
        }
        trackCompletionMessages();

        assertThat(counts(REPORTS).ready()).isEqualTo(20);
        List<String> batchIds = new ArrayList<>();
        for (ReceivedMessage report : receive(REPORTS, 100)) {
            batchIds.add(report.headers().get(Batches.ID_HEADER));
        }
        assertThat(batchIds).containsExactlyInAnyOrderElementsOf(sent.stream().map(BatchResult::batchId).toList());
    }

    // ---------------------------------------------------------------- reading

    @Test
    void batchesAreListedNewestFirstPageByPage() {
        createQueues();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(sendBatch(1, BatchOptions.NONE).batchId());
            clock.advance(Duration.ofMillis(1));
        }

        BatchPage first = batches().list(null, 2);
        BatchPage second = batches().list(first.next(), 2);
        BatchPage third = batches().list(second.next(), 2);

        assertThat(first.batches()).extracting(BatchStatus::id).containsExactly(ids.get(4), ids.get(3));
        assertThat(second.batches()).extracting(BatchStatus::id).containsExactly(ids.get(2), ids.get(1));
        assertThat(third.batches()).extracting(BatchStatus::id).containsExactly(ids.get(0));
        assertThat(third.next()).isNull();
        assertThat(first.batches()).allSatisfy(b -> assertThat(b.pending()).isEqualTo(1));
    }

    @Test
    void membersArePagedInTheOrderTheyWereSent() {
        createQueues();
        BatchResult sent = sendBatch(5, BatchOptions.NONE);

        MessagePage first = batches().members(sent.batchId(), null, 3);
        MessagePage rest = batches().members(sent.batchId(), first.next(), 3);

        assertThat(first.messages()).extracting(MessageSummary::id).containsExactlyElementsOf(sent.messageIds().subList(0, 3));
        assertThat(rest.messages()).extracting(MessageSummary::id).containsExactlyElementsOf(sent.messageIds().subList(3, 5));
        assertThat(rest.next()).isNull();
    }

    @Test
    void anUnknownBatchIsNotFound() {
        assertThatThrownBy(() -> batches().get(unknownId())).isInstanceOf(BatchNotFoundException.class);
        assertThatThrownBy(() -> batches().get("not-an-id")).isInstanceOf(BatchNotFoundException.class);
        assertThatThrownBy(() -> batches().members(unknownId(), null, 10)).isInstanceOf(BatchNotFoundException.class);
    }

    // ---------------------------------------------------------------- durability and retention

    @Test
    void batchesSurviveRestartAndCompleteAfterIt() {
        createQueues();
        BatchResult done = sendBatch(1, BatchOptions.NONE);
        BatchResult open = sendBatch(2, reportWhenDone());
        ReceivedMessage m = receiveOne(QUEUE);
        postroom.ack(m.id(), m.leaseId(), null);
        ReceivedMessage n = receiveOne(QUEUE);
        postroom.ack(n.id(), n.leaseId(), null);
        maintain();
        BatchStatus openBefore = batches().get(open.batchId());
        BatchStatus doneBefore = batches().get(done.batchId());
        assertThat(doneBefore.isComplete()).isTrue();

        restart();

        assertThat(batches().get(open.batchId())).isEqualTo(openBefore);
        assertThat(batches().get(done.batchId())).isEqualTo(doneBefore);
        assertThat(message(open.messageIds().getFirst()).batchId()).isEqualTo(open.batchId());
        ackAll();
        maintain();
        assertThat(batches().get(open.batchId()).isComplete()).isTrue();
        assertThat(receiveOne(REPORTS).headers()).containsEntry(Batches.ID_HEADER, open.batchId());
    }

    @Test
    void aCompletedBatchIsForgottenOnceItsMembersAreGone() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withRetention(Duration.ofDays(7)));
        BatchResult kept = sendBatch(1, BatchOptions.NONE);
        BatchResult purged = sendBatch(1, BatchOptions.NONE);
        ackAll();
        maintain();
        clock.advance(Duration.ofDays(2));
        assertThat(postroom.delete(purged.messageIds().getFirst())).isTrue();

        maintain();

        assertThatThrownBy(() -> batches().get(purged.batchId())).isInstanceOf(BatchNotFoundException.class);
        assertThat(batches().get(kept.batchId()).succeeded()).as("a member is still stored").isEqualTo(1);
    }

    @Test
    void aCompletionMessageOfRawJsonKeepsItsText() {
        createQueues();
        BatchResult sent = sendBatch(1, BatchOptions.onComplete(REPORTS, new RawJson("{\"n\":[1,2,3]}")));
        ackAll();
        maintain();

        assertSameJson(message(batches().get(sent.batchId()).completionMessageId()).payloadJson(), new RawJson("{\"n\":[1,2,3]}"));
    }
}
