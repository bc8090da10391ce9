package dev.postroom.tck;

import dev.postroom.Backoff;
import dev.postroom.IllegalTransitionException;
import dev.postroom.Message;
import dev.postroom.MessageNotFoundException;
import dev.postroom.MessageState;
import dev.postroom.QueueNotEmptyException;
import dev.postroom.QueueNotFoundException;
import dev.postroom.QueuePolicy;
import dev.postroom.ReceivedMessage;
import dev.postroom.SendOptions;
import dev.postroom.StaleLeaseException;
import dev.postroom.TimelineEntry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The life of a message outside the happy path: TTL expiry, cancellation, deletion, purges,
 * retention, queue deletion, and the timeline that records every transition.
 */
public abstract class LifecycleContract extends ContractSupport {
    private static final String QUEUE = "lifecycle";

    private String succeeded(String payload) {
        String id = sendId(QUEUE, payload);
        ReceivedMessage received = receiveOne(QUEUE);
        assertThat(received.id()).isEqualTo(id);
        postroom.ack(id, received.leaseId(), null);
        return id;
    }

    private String dead(String payload) {
        String id = sendId(QUEUE, payload);
        ReceivedMessage received = receiveOne(QUEUE);
        assertThat(received.id()).isEqualTo(id);
        assertThat(postroom.nack(id, received.leaseId(), "failed", null, null)).isEqualTo(MessageState.DEAD);
        return id;
    }

    // ---------------------------------------------------------------- TTL

    @Test
    void expiredTtlMakesTheMessageDeadWithoutDelivery() {
        createQueue(QUEUE);
        String id = send(QUEUE, "stale soon", SendOptions.builder().ttl(Duration.ofMinutes(1)).build()).id();
        clock.advance(Duration.ofSeconds(61));
        postroom.runMaintenance();

        Message message = message(id);
        assertThat(message.state()).isEqualTo(MessageState.DEAD);
        assertThat(message.attempt()).isZero();
        TimelineEntry last = message.timeline().getLast();
        assertThat(last.state()).isEqualTo(MessageState.DEAD);
        assertThat(last.reason()).containsIgnoringCase("expired");
        assertThat(last.node()).isEqualTo(NODE);
        assertThat(message.timeline()).extracting(TimelineEntry::state).doesNotContain(MessageState.IN_FLIGHT);
        assertNothingToReceive(QUEUE);
    }

    @Test
    void messagePastItsTtlIsNeverHandedOut() {
        createQueue(QUEUE);
        String id = send(QUEUE, "stale soon", SendOptions.builder().ttl(Duration.ofMinutes(1)).build()).id();
        clock.advance(Duration.ofSeconds(61));

        assertNothingToReceive(QUEUE); // before any maintenance pass noticed
        assertThat(stateOf(id)).isIn(MessageState.READY, MessageState.DEAD);
    }

    @Test
    void scheduledMessagePastItsTtlExpires() {
        createQueue(QUEUE);
        String id = send(QUEUE, "too late", SendOptions.builder().delay(Duration.ofMinutes(5)).ttl(Duration.ofMinutes(2)).build()).id();
        clock.advance(Duration.ofMinutes(5));
        postroom.runMaintenance();

        assertThat(stateOf(id)).isEqualTo(MessageState.DEAD);
        assertNothingToReceive(QUEUE);
    }

    @Test
    void messageWithinItsTtlIsDelivered() {
        createQueue(QUEUE);
        String id = send(QUEUE, "fresh", SendOptions.builder().ttl(Duration.ofMinutes(1)).build()).id();
        clock.advance(Duration.ofSeconds(59));
        postroom.runMaintenance();
        assertThat(receiveOne(QUEUE).id()).isEqualTo(id);
    }

    @Test
    void ttlDoesNotCutShortAMessageInFlight() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withLease(Duration.ofMinutes(5)));
        String id = send(QUEUE, "slow", SendOptions.builder().ttl(Duration.ofMinutes(1)).build()).id();
        ReceivedMessage received = receiveOne(QUEUE);
        clock.advance(Duration.ofMinutes(2));
        postroom.runMaintenance();

        assertThat(stateOf(id)).isEqualTo(MessageState.IN_FLIGHT);
        postroom.ack(id, received.leaseId(), null);
        assertThat(stateOf(id)).isEqualTo(MessageState.SUCCEEDED);
    }

    // ---------------------------------------------------------------- cancel

    @Test
    void cancelOfAReadyMessageMakesItCancelled() {
        createQueue(QUEUE);
        String id = sendId(QUEUE, "never mind");
        Instant cancelledAt = clock.advance(Duration.ofSeconds(1));

        assertThat(postroom.cancel(id)).isEqualTo(MessageState.CANCELLED);

        Message message = message(id);
        assertThat(message.state()).isEqualTo(MessageState.CANCELLED);
        TimelineEntry last = message.timeline().getLast();
        assertThat(last.state()).isEqualTo(MessageState.CANCELLED);
        assertThat(last.at()).isEqualTo(cancelledAt);
        assertThat(last.node()).isEqualTo(NODE);
        assertThat(last.reason()).containsIgnoringCase("cancel");
        assertNothingToReceive(QUEUE);
    }

    @Test
    void cancelledScheduledMessageIsNeverDelivered() {
        createQueue(QUEUE);
        String id = send(QUEUE, "later", SendOptions.builder().delay(Duration.ofMinutes(1)).build()).id();
        assertThat(postroom.cancel(id)).isEqualTo(MessageState.CANCELLED);

        clock.advance(Duration.ofMinutes(2));
        postroom.runMaintenance();
        assertThat(stateOf(id)).isEqualTo(MessageState.CANCELLED);
        assertNothingToReceive(QUEUE);
    }

    @Test
    void cancelOfAFinalMessageIsAnIllegalTransition() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(1));
        String succeeded = succeeded("done");
        String dead = dead("failed");
        String cancelled = sendId(QUEUE, "cancelled");
        postroom.cancel(cancelled);

        for (String id : List.of(succeeded, dead, cancelled)) {
            MessageState before = stateOf(id);
            int timeline = message(id).timeline().size();
            assertThatThrownBy(() -> postroom.cancel(id)).as("cancel of %s message", before)
                    .isInstanceOfSatisfying(IllegalTransitionException.class, e -> assertThat(e.state()).isEqualTo(before));
            assertThat(stateOf(id)).isEqualTo(before);
            assertThat(message(id).timeline()).hasSize(timeline);
        }
    }

    @Test
    void cancelOfAnInFlightMessageMakesItsLeaseStale() {
        createQueue(QUEUE);
        String id = sendId(QUEUE, "running");
        ReceivedMessage received = receiveOne(QUEUE);

        assertThat(postroom.cancel(id)).isEqualTo(MessageState.CANCELLED);

        assertThat(message(id).leaseExpiresAt()).isNull();
        assertThatThrownBy(() -> postroom.ack(id, received.leaseId(), "too late")).isInstanceOf(StaleLeaseException.class);
        assertThatThrownBy(() -> postroom.nack(id, received.leaseId(), "too late", null, null)).isInstanceOf(StaleLeaseException.class);
        assertThatThrownBy(() -> postroom.extend(id, received.leaseId(), Duration.ofMinutes(1))).isInstanceOf(StaleLeaseException.class);
        Message message = message(id);
        assertThat(message.state()).isEqualTo(MessageState.CANCELLED);
        assertThat(message.resultJson()).isNull();
        assertThat(message.errors()).isEmpty();
        assertThat(counts(QUEUE).inFlight()).isZero();
    }

    @Test
    void cancelOfAnInFlightMessageFreesAConcurrencySlot() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withConcurrency(1));
        String first = sendId(QUEUE, "first");
        String second = sendId(QUEUE, "second");
        receiveOne(QUEUE);
        assertNothingToReceive(QUEUE);

        postroom.cancel(first);
        assertThat(receiveOne(QUEUE).id()).isEqualTo(second);
    }

    // ---------------------------------------------------------------- delete and purge

    @Test
    void deleteRemovesTheMessage() {
        createQueue(QUEUE);
        String id = sendId(QUEUE, "delete me");
        String kept = sendId(QUEUE, "keep me");

        assertThat(postroom.delete(id)).isTrue();

        assertThat(postroom.get(id)).isEmpty();
        assertThat(postroom.delete(id)).isFalse();
        assertThat(postroom.delete(unknownId())).isFalse();
        assertThat(counts(QUEUE).ready()).isEqualTo(1);
        assertThat(ids(receive(QUEUE, 10))).containsExactly(kept);
    }

    @Test
    void deleteOfAnInFlightMessageMakesItsLeaseUseless() {
        createQueue(QUEUE);
        String id = sendId(QUEUE, "running");
        ReceivedMessage received = receiveOne(QUEUE);

        assertThat(postroom.delete(id)).isTrue();

        assertThatThrownBy(() -> postroom.ack(id, received.leaseId(), null))
                .isInstanceOfAny(MessageNotFoundException.class, StaleLeaseException.class);
        assertThat(postroom.get(id)).isEmpty();
        assertThat(counts(QUEUE).inFlight()).isZero();
    }

    @Test
    void purgeDeletesOnlyTheGivenStatesOfTheQueue() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(1));
        createQueue("neighbour", QueuePolicy.DEFAULT.withMaxAttempts(1));
        String succeeded = succeeded("succeeded");
        String dead = dead("dead");
        String cancelled = sendId(QUEUE, "cancelled");
        postroom.cancel(cancelled);
        String scheduled = send(QUEUE, "scheduled", SendOptions.builder().delay(Duration.ofHours(1)).build()).id();
        String ready = sendId(QUEUE, "ready");
        String neighbourCancelled = sendId("neighbour", "cancelled elsewhere");
        postroom.cancel(neighbourCancelled);

        assertThat(postroom.purge(QUEUE, EnumSet.of(MessageState.DEAD, MessageState.CANCELLED))).isEqualTo(2);

        assertThat(postroom.get(dead)).isEmpty();
        assertThat(postroom.get(cancelled)).isEmpty();
        assertThat(stateOf(succeeded)).isEqualTo(MessageState.SUCCEEDED);
        assertThat(stateOf(scheduled)).isEqualTo(MessageState.SCHEDULED);
        assertThat(stateOf(ready)).isEqualTo(MessageState.READY);
        assertThat(stateOf(neighbourCancelled)).isEqualTo(MessageState.CANCELLED);

        assertThat(postroom.purge(QUEUE, EnumSet.of(MessageState.READY, MessageState.SCHEDULED))).isEqualTo(2);
        assertThat(postroom.get(ready)).isEmpty();
        assertThat(postroom.get(scheduled)).isEmpty();
        assertThat(postroom.purge(QUEUE, EnumSet.of(MessageState.READY))).isZero();
    }

    @Test
    void retentionPurgeDeletesOldFinishedMessagesAndKeepsNewerOnes() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(1)
                .withRetention(Duration.ofHours(1)).withDeadRetention(Duration.ofDays(1)));
        String oldSucceeded = succeeded("old");
        String oldCancelled = sendId(QUEUE, "old cancelled");
        postroom.cancel(oldCancelled);
        String oldDead = dead("old dead");
        String waiting = send(QUEUE, "waiting", SendOptions.builder().delay(Duration.ofDays(3)).build()).id();
        clock.advance(Duration.ofMinutes(40));
        String newSucceeded = succeeded("new");

        clock.advance(Duration.ofMinutes(30)); // old ones finished 70 min ago, the new one 30 min ago
        postroom.runMaintenance();

        assertThat(postroom.get(oldSucceeded)).isEmpty();
        assertThat(postroom.get(oldCancelled)).isEmpty();
        assertThat(stateOf(newSucceeded)).isEqualTo(MessageState.SUCCEEDED);
        assertThat(stateOf(oldDead)).isEqualTo(MessageState.DEAD); // dead ones have their own, longer retention
        assertThat(stateOf(waiting)).isEqualTo(MessageState.SCHEDULED);

        clock.advance(Duration.ofDays(1));
        postroom.runMaintenance();
        assertThat(postroom.get(newSucceeded)).isEmpty();
        assertThat(postroom.get(oldDead)).isEmpty();
        assertThat(stateOf(waiting)).isEqualTo(MessageState.SCHEDULED);
    }

    @Test
    void retentionCountsFromWhenTheMessageFinishedNotWhenItWasSent() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withRetention(Duration.ofHours(1)));
        String id = sendId(QUEUE, "sent long ago");
        clock.advance(Duration.ofHours(5));
        receiveAndAck(QUEUE);
        clock.advance(Duration.ofMinutes(30));
        postroom.runMaintenance();

        assertThat(stateOf(id)).isEqualTo(MessageState.SUCCEEDED);
    }

    // ---------------------------------------------------------------- queues

    @Test
    void deleteQueueWithUnfinishedMessagesIsRefusedUnlessForced() {
        createQueue(QUEUE);
        String inFlight = sendId(QUEUE, "in flight");
        assertThat(receiveOne(QUEUE).id()).isEqualTo(inFlight);
        String ready = sendId(QUEUE, "ready");

        assertThatThrownBy(() -> postroom.deleteQueue(QUEUE, false)).isInstanceOf(QueueNotEmptyException.class);
        assertThat(store.queue(QUEUE)).isPresent();
        assertThat(stateOf(ready)).isEqualTo(MessageState.READY);
        assertThat(stateOf(inFlight)).isEqualTo(MessageState.IN_FLIGHT);

        postroom.deleteQueue(QUEUE, true);

        assertThat(store.queue(QUEUE)).isEmpty();
        assertThat(store.counts()).doesNotContainKey(QUEUE);
        assertThat(postroom.get(ready)).isEmpty();
        assertThat(postroom.get(inFlight)).isEmpty();
        assertThatThrownBy(() -> send(QUEUE, "after")).isInstanceOf(QueueNotFoundException.class);
    }

    @Test
    void deleteQueueWithScheduledMessagesIsRefused() {
        createQueue(QUEUE);
        send(QUEUE, "tomorrow", SendOptions.builder().delay(Duration.ofDays(1)).build());

        assertThatThrownBy(() -> postroom.deleteQueue(QUEUE, false)).isInstanceOf(QueueNotEmptyException.class);
        assertThat(store.queue(QUEUE)).isPresent();
    }

    @Test
    void deleteQueueWithOnlyFinishedMessagesNeedsNoForce() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(1));
        String done = succeeded("done");
        String failed = dead("failed");

        postroom.deleteQueue(QUEUE, false);

        assertThat(store.queue(QUEUE)).isEmpty();
        assertThat(store.counts()).doesNotContainKey(QUEUE);
        // A deleted queue keeps no messages behind: nothing could show, count or purge them.
        assertThat(postroom.get(done)).isEmpty();
        assertThat(postroom.get(failed)).isEmpty();
    }

    @Test
    void recreatedQueueStartsEmpty() {
        createQueue(QUEUE);
        sendId(QUEUE, "old");
        postroom.deleteQueue(QUEUE, true);
        createQueue(QUEUE);

        assertQueueHoldsNothing(QUEUE);
        assertNothingToReceive(QUEUE);
    }

    // ---------------------------------------------------------------- timeline

    @Test
    void timelineHasAnEntryPerTransition() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withBackoff(new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(10), 1.0)));
        Instant sentAt = clock.instant();
        String id = send(QUEUE, "the full tour", SendOptions.builder().delay(Duration.ofSeconds(5)).build()).id();
        Instant promotedAt = clock.advance(Duration.ofSeconds(5));
        postroom.runMaintenance();
        Instant leasedAt = clock.advance(Duration.ofSeconds(1));
        ReceivedMessage first = receiveOne(QUEUE);
        Instant failedAt = clock.advance(Duration.ofSeconds(1));
        postroom.nack(id, first.leaseId(), "first try failed", null, null);
        Instant promotedAgainAt = clock.advance(Duration.ofSeconds(15));
        postroom.runMaintenance();
        Instant leasedAgainAt = clock.advance(Duration.ofSeconds(1));
        ReceivedMessage second = receiveOne(QUEUE);
        Instant ackedAt = clock.advance(Duration.ofSeconds(1));
        postroom.ack(id, second.leaseId(), null);

        List<TimelineEntry> timeline = message(id).timeline();
        assertThat(timeline).extracting(TimelineEntry::state).containsExactly(
                MessageState.SCHEDULED, MessageState.READY, MessageState.IN_FLIGHT,
                MessageState.SCHEDULED, MessageState.READY, MessageState.IN_FLIGHT, MessageState.SUCCEEDED);
        assertThat(timeline).extracting(TimelineEntry::at).containsExactly(
                sentAt, promotedAt, leasedAt, failedAt, promotedAgainAt, leasedAgainAt, ackedAt);
        assertThat(timeline).extracting(TimelineEntry::node).containsOnly(NODE);
        assertThat(timeline).allSatisfy(entry -> assertThat(entry.reason()).isNotBlank());
        assertThat(timeline.get(0).attempt()).isZero();
        assertThat(timeline.get(1).attempt()).isZero();
        assertThat(timeline.get(2).attempt()).isEqualTo(1);
        assertThat(timeline.get(5).attempt()).isEqualTo(2);
        assertThat(timeline.get(6).attempt()).isEqualTo(2);
        assertThat(timeline).extracting(TimelineEntry::attempt).isSorted();
    }

    @Test
    void operatorActionsAndExpiriesAreOnTheTimelineWithTheirReasons() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withLease(Duration.ofSeconds(30)).withMaxAttempts(1));
        String id = sendId(QUEUE, "x");
        postroom.cancel(id);
        postroom.retry(id);
        receiveOne(QUEUE);
        clock.advance(Duration.ofSeconds(31));
        postroom.runMaintenance();

        List<TimelineEntry> timeline = message(id).timeline();
        assertThat(timeline).extracting(TimelineEntry::state).containsExactly(
                MessageState.READY, MessageState.CANCELLED, MessageState.READY, MessageState.IN_FLIGHT, MessageState.DEAD);
        assertThat(timeline.get(1).reason()).containsIgnoringCase("cancel");
        assertThat(timeline.get(2).reason()).containsIgnoringCase("retr");
        assertThat(timeline.get(4).reason()).isNotBlank();
        assertThat(message(id).errors().getLast().message()).containsIgnoringCase("lease expired");
        assertThat(timeline).extracting(TimelineEntry::node).containsOnly(NODE);
    }
}
