package dev.postroom.tck;

import dev.postroom.Backoff;
import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.OutgoingMessage;
import dev.postroom.QueueInfo;
import dev.postroom.QueuePolicy;
import dev.postroom.ReceivedMessage;
import dev.postroom.SendOptions;
import dev.postroom.SendResult;
import dev.postroom.StateCounts;
import dev.postroom.StaleLeaseException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Durability: what a store acknowledged is there after a clean restart and after a crash; leases
 * held when the store went away end (at once on an embedded store, at their expiry on a shared
 * one), so those messages are delivered again; ids made after a restart sort after every earlier id.
 */
public abstract class RestartContract extends ContractSupport {
    private static final String QUEUE = "durable";
    private static final String WORKED = "worked";
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Backoff ONE_SECOND = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 1.0);

    private void createDurableQueue() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withLease(LEASE).withBackoff(ONE_SECOND).withMaxAttempts(2));
    }

    /**
     * Messages in every state but IN_FLIGHT, with every option, keyed by id: at rest in
     * {@value #QUEUE}, and worked on (acked with progress and result, dead with errors, waiting to
     * retry) one at a time in {@value #WORKED}.
     */
    private Map<String, Message> sendOneOfEverything() {
        createQueue(WORKED, QueuePolicy.DEFAULT.withLease(LEASE).withBackoff(ONE_SECOND).withMaxAttempts(2));
        List<String> ids = new ArrayList<>();
        ids.add(send(QUEUE, Map.of("plain", true)).id());
        ids.add(send(QUEUE, Map.of("kind", "everything", "text", "ünïcödé ✓"), SendOptions.builder()
                .priority(7).orderingKey("customer-9").idempotencyKey("idem-1")
                .header("tenant", "acme").header("trace", "abc").ttl(Duration.ofDays(1)).build()).id());
        ids.add(send(QUEUE, "scheduled", SendOptions.builder().delay(Duration.ofHours(2)).build()).id());
        ids.addAll(sentIds(sendBatch(QUEUE, List.of(OutgoingMessage.of(1), OutgoingMessage.of(2), OutgoingMessage.of(3)))));
        String cancelled = sendId(QUEUE, "cancelled");
        postroom.cancel(cancelled);
        ids.add(cancelled);

        String acked = sendId(WORKED, "acked");
        ReceivedMessage received = receiveOne(WORKED);
        clock.advance(Duration.ofSeconds(1));
        postroom.progress(acked, received.leaseId(), 100, "all done");
        postroom.ack(acked, received.leaseId(), Map.of("refunded", 12));

        String failed = sendId(WORKED, "dead");
        received = receiveOne(WORKED);
        postroom.nack(failed, received.leaseId(), "card declined", "java.lang.IllegalStateException: card declined", Duration.ZERO);
        clock.advance(Duration.ofSeconds(1));
        received = receiveOne(WORKED);
        postroom.nack(failed, received.leaseId(), "card declined again", null, null);

        String retrying = sendId(WORKED, "retrying");
        received = receiveOne(WORKED);
        postroom.nack(retrying, received.leaseId(), "bank offline", null, Duration.ofMinutes(10));

        ids.addAll(List.of(acked, failed, retrying));
        assertThat(stateOf(acked)).isEqualTo(MessageState.SUCCEEDED);
        assertThat(stateOf(failed)).isEqualTo(MessageState.DEAD);
        assertThat(stateOf(cancelled)).isEqualTo(MessageState.CANCELLED);
        assertThat(stateOf(retrying)).isEqualTo(MessageState.SCHEDULED);

        Map<String, Message> before = new LinkedHashMap<>();
        for (String id : ids) {
            before.put(id, message(id));
        }
        return before;
    }

    @Test
    void acknowledgedSendsSurviveRestart() {
        createDurableQueue();
        Map<String, Message> before = sendOneOfEverything();

        restart();

        for (Map.Entry<String, Message> entry : before.entrySet()) {
            Message after = postroom.get(entry.getKey()).orElseThrow(() -> new AssertionError("lost " + entry.getKey()));
            assertThat(after).as("message %s after restart", entry.getKey()).isEqualTo(entry.getValue());
        }
        assertThat(counts(QUEUE)).isEqualTo(new StateCounts(1, 5, 0, 0, 0, 1));
        assertThat(counts(WORKED)).isEqualTo(new StateCounts(1, 0, 0, 1, 1, 0));
    }

    @Test
    void queuesAndTheirPoliciesSurviveRestart() {
        QueuePolicy custom = new QueuePolicy(9, new Backoff(Duration.ofSeconds(3), Duration.ofMinutes(7), 1.5),
                Duration.ofMinutes(2), 17, Duration.ofHours(5), Duration.ofDays(3));
        createQueue(QUEUE, custom);
        createQueue("paused-one");
        postroom.pause("paused-one");

        restart();

        QueueInfo queue = postroom.queue(QUEUE);
        assertThat(queue.policy()).isEqualTo(custom);
        assertThat(queue.paused()).isFalse();
        assertThat(postroom.queue("paused-one").paused()).isTrue();
        assertThat(store.queue(QUEUE)).hasValueSatisfying(q -> assertThat(q.createdAt()).isEqualTo(START));
    }

    @Test
    void inFlightMessagesAreDeliverableAgainAfterRestart() {
        createDurableQueue();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sent.add(sendId(QUEUE, i));
        }
        List<ReceivedMessage> leased = receive(QUEUE, 3);
        assertThat(leased).hasSize(3);

        restart();
        // An embedded store releases them at once; a shared one when the lease runs out.
        clock.advance(LEASE.plusSeconds(1));
        postroom.runMaintenance();
        clock.advance(Duration.ofSeconds(2));
        postroom.runMaintenance();

        List<ReceivedMessage> again = receive(QUEUE, 10);
        assertThat(ids(again)).containsExactlyInAnyOrderElementsOf(sent);
        for (ReceivedMessage old : leased) {
            assertThatThrownBy(() -> postroom.ack(old.id(), old.leaseId(), null)).isInstanceOf(StaleLeaseException.class);
        }
        again.forEach(m -> postroom.ack(m.id(), m.leaseId(), null));
        assertThat(sent).allSatisfy(id -> assertThat(stateOf(id)).isEqualTo(MessageState.SUCCEEDED));
    }

    @Test
    void crashLosesNoAcknowledgedSend() {
        createDurableQueue();
        createQueue("pending");
        Map<String, Object> acknowledged = new LinkedHashMap<>();
        for (int i = 0; i < 60; i++) {
            Object payload = Map.of("n", i, "text", "payload " + i);
            acknowledged.put(sendId(QUEUE, payload), payload);
        }
        List<OutgoingMessage> batch = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            batch.add(OutgoingMessage.of(Map.of("batch", i)));
        }
        List<SendResult> batchResults = sendBatch(QUEUE, batch);
        for (int i = 0; i < 40; i++) {
            acknowledged.put(batchResults.get(i).id(), Map.of("batch", i));
        }
        // Sends still in the air when the store goes down: they may or may not survive.
        List<CompletableFuture<SendResult>> unacknowledged = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            unacknowledged.add(sendAsync("pending", Map.of("pending", i)));
        }

        crash();
        List<String> completedBeforeCrash = unacknowledged.stream()
                .filter(f -> f.isDone() && !f.isCompletedExceptionally())
                .map(CompletableFuture::join)
                .map(SendResult::id)
                .toList();
        reopen();

        for (Map.Entry<String, Object> entry : acknowledged.entrySet()) {
            Message message = postroom.get(entry.getKey()).orElseThrow(() -> new AssertionError("acknowledged send lost: " + entry.getKey()));
            assertSameJson(message.payloadJson(), entry.getValue());
            assertThat(message.state()).isEqualTo(MessageState.READY);
        }
        for (String id : completedBeforeCrash) {
            assertThat(postroom.get(id)).as("send %s completed before the crash", id).isPresent();
        }
        assertThat(counts(QUEUE).ready()).isEqualTo(acknowledged.size());
        // Survivors of the unacknowledged sends are unknown to the test; drop them before the invariants run.
        postroom.deleteQueue("pending", true);
    }

    @Test
    void crashLosesNoCompletedAckOrNack() {
        createDurableQueue();
        for (int i = 0; i < 20; i++) {
            sendId(QUEUE, i);
        }
        List<ReceivedMessage> leased = receive(QUEUE, 20);
        assertThat(leased).hasSize(20);
        List<String> acked = new ArrayList<>();
        List<String> nacked = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            ReceivedMessage m = leased.get(i);
            if (i < 10) {
                postroom.ack(m.id(), m.leaseId(), Map.of("i", i));
                acked.add(m.id());
            } else {
                postroom.nack(m.id(), m.leaseId(), "failure " + i, null, Duration.ofHours(1));
                nacked.add(m.id());
            }
        }

        crashAndReopen();

        for (String id : acked) {
            Message message = message(id);
            assertThat(message.state()).isEqualTo(MessageState.SUCCEEDED);
            assertThat(message.resultJson()).isNotNull();
        }
        for (String id : nacked) {
            Message message = message(id);
            assertThat(message.state()).isEqualTo(MessageState.SCHEDULED);
            assertThat(message.errors()).hasSize(1);
        }
        // The five still leased at the crash come back, once their lease is over at the latest.
        clock.advance(LEASE.plusSeconds(1));
        postroom.runMaintenance();
        clock.advance(Duration.ofSeconds(2));
        postroom.runMaintenance();
        List<String> stillLeased = leased.subList(15, 20).stream().map(ReceivedMessage::id).toList();
        assertThat(ids(receive(QUEUE, 20))).containsExactlyInAnyOrderElementsOf(stillLeased);
    }

    @Test
    void crashOfAnIdleStoreLosesNothing() {
        createDurableQueue();
        String id = sendId(QUEUE, "quiet");
        crashAndReopen();
        crashAndReopen();
        assertSameJson(message(id).payloadJson(), "quiet");
        assertThat(store.queue(QUEUE)).isPresent();
    }

    @Test
    void newIdsSortAfterOldIdsAfterRestartEvenIfTheClockWentBack() {
        createDurableQueue();
        clock.advance(Duration.ofHours(1));
        List<String> old = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            old.add(sendId(QUEUE, i));
        }
        String newest = Collections.max(old);
        assertThat(store.latestMessageId()).contains(newest);

        clock.set(START); // an hour earlier: ids may not go back with it
        restart();

        assertThat(store.latestMessageId()).contains(newest);
        for (int i = 0; i < 10; i++) {
            assertThat(sendId(QUEUE, "after " + i)).isGreaterThan(newest);
        }
    }

    @Test
    void newIdsSortAfterOldIdsAfterACrash() {
        createDurableQueue();
        List<String> old = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            old.add(sendId(QUEUE, i));
        }
        String newest = Collections.max(old);

        crashAndReopen();

        assertThat(store.latestMessageId()).contains(newest);
        List<String> fresh = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            fresh.add(sendId(QUEUE, "after " + i));
        }
        assertThat(fresh).allSatisfy(id -> assertThat(id).isGreaterThan(newest)).isSorted();
    }

    @Test
    void idempotencyKeysSurviveRestart() {
        createDurableQueue();
        SendResult first = send(QUEUE, "once", SendOptions.builder().idempotencyKey("k").build());
        restart();
        SendResult repeat = send(QUEUE, "twice", SendOptions.builder().idempotencyKey("k").build());
        assertThat(repeat.duplicate()).isTrue();
        assertThat(repeat.id()).isEqualTo(first.id());
    }

    @Test
    void scheduledMessagesKeepTheirTimeAcrossRestart() {
        createDurableQueue();
        Instant due = clock.instant().plus(Duration.ofMinutes(10));
        String id = send(QUEUE, "later", SendOptions.builder().notBefore(due).build()).id();
        restart();

        assertThat(message(id).notBefore()).isEqualTo(due);
        clock.set(due.minusSeconds(1));
        postroom.runMaintenance();
        assertNothingToReceive(QUEUE);
        clock.set(due);
        assertThat(receiveOne(QUEUE).id()).isEqualTo(id);
    }
}
