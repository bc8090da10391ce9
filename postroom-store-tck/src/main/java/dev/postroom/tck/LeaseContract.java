package dev.postroom.tck;

import dev.postroom.AttemptError;
import dev.postroom.InvalidMessageException;
import dev.postroom.Backoff;
import dev.postroom.Message;
import dev.postroom.MessageNotFoundException;
import dev.postroom.MessageState;
import dev.postroom.Progress;
import dev.postroom.QueuePolicy;
import dev.postroom.ReceivedMessage;
import dev.postroom.Settle;
import dev.postroom.SettleOutcome;
import dev.postroom.StaleLeaseException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Leases: only the current lease may ack, nack, extend or report progress; an expired lease makes
 * the message deliverable again as a failed attempt; extending moves the expiry.
 */
public abstract class LeaseContract extends ContractSupport {
    private static final String QUEUE = "leases";
    private static final Duration LEASE = Duration.ofSeconds(30);
    /** One second, no growth: a failed attempt is due again one to 1.2 seconds later. */
    private static final Backoff ONE_SECOND = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 1.0);

    private void createLeaseQueue(int maxAttempts) {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withLease(LEASE).withBackoff(ONE_SECOND).withMaxAttempts(maxAttempts));
    }

    /** Moves past the lease, expires it, then past the retry backoff and promotes. */
    private void letLeaseExpire() {
        clock.advance(LEASE.plusSeconds(1));
        postroom.runMaintenance();
    }

    private void passBackoff() {
        clock.advance(Duration.ofSeconds(2));
        postroom.runMaintenance();
    }

    @Test
    void ackCompletesTheMessageAndStoresItsResult() {
        createLeaseQueue(5);
        String id = sendId(QUEUE, "work");
        ReceivedMessage received = receiveOne(QUEUE);
        Instant ackedAt = clock.advance(Duration.ofSeconds(3));

        postroom.ack(id, received.leaseId(), Map.of("refunded", 3));

        Message message = message(id);
        assertThat(message.state()).isEqualTo(MessageState.SUCCEEDED);
        assertThat(message.leaseExpiresAt()).isNull();
        assertSameJson(message.resultJson(), Map.of("refunded", 3));
        assertThat(message.timeline().getLast().state()).isEqualTo(MessageState.SUCCEEDED);
        assertThat(message.timeline().getLast().at()).isEqualTo(ackedAt);
        assertThat(message.timeline().getLast().attempt()).isEqualTo(1);
    }

    @Test
    void ackWithoutResultStoresNone() {
        createLeaseQueue(5);
        String id = sendId(QUEUE, "work");
        receiveAndAck(QUEUE);
        assertThat(message(id).resultJson()).isNull();
        assertThat(stateOf(id)).isEqualTo(MessageState.SUCCEEDED);
    }

    @Test
    void ackWithStaleLeaseIsRejectedAndChangesNothing() {
        createLeaseQueue(5);
        String id = sendId(QUEUE, "work");
        ReceivedMessage first = receiveOne(QUEUE);
        letLeaseExpire();
        passBackoff();
        ReceivedMessage second = receiveOne(QUEUE);
        Message before = message(id);

        assertThatThrownBy(() -> postroom.ack(id, first.leaseId(), "late result"))
                .isInstanceOfSatisfying(StaleLeaseException.class, e -> assertThat(e.messageId()).isEqualTo(id));

        Message after = message(id);
        assertThat(after).isEqualTo(before);
        assertThat(after.state()).isEqualTo(MessageState.IN_FLIGHT);
        assertThat(after.resultJson()).isNull();
        postroom.ack(id, second.leaseId(), null);
        assertThat(stateOf(id)).isEqualTo(MessageState.SUCCEEDED);
    }

    @Test
    void ackWithAWrongLeaseIdIsRejected() {
        createLeaseQueue(5);
        String id = sendId(QUEUE, "work");
        ReceivedMessage received = receiveOne(QUEUE);

        assertThatThrownBy(() -> postroom.ack(id, "not-the-lease", null)).isInstanceOf(StaleLeaseException.class);
        assertThat(stateOf(id)).isEqualTo(MessageState.IN_FLIGHT);
        assertThat(message(id).leaseExpiresAt()).isEqualTo(received.leaseExpiresAt());
    }

    @Test
    void secondAckOfTheSameLeaseIsRejected() {
        createLeaseQueue(5);
        String id = sendId(QUEUE, "work");
        ReceivedMessage received = receiveOne(QUEUE);
        postroom.ack(id, received.leaseId(), "first");

        assertThatThrownBy(() -> postroom.ack(id, received.leaseId(), "second")).isInstanceOf(StaleLeaseException.class);
        assertSameJson(message(id).resultJson(), "first");
        assertThat(message(id).timeline()).filteredOn(e -> e.state() == MessageState.SUCCEEDED).hasSize(1);
    }

    @Test
    void ackOfAnUnknownMessageIsNotFound() {
        createLeaseQueue(5);
        assertThatThrownBy(() -> postroom.ack(unknownId(), "some-lease", null)).isInstanceOf(MessageNotFoundException.class);
    }

    @Test
    void nackWithStaleLeaseIsRejectedAndRecordsNoError() {
        createLeaseQueue(5);
        String id = sendId(QUEUE, "work");
        ReceivedMessage first = receiveOne(QUEUE);
        letLeaseExpire();
        passBackoff();
        ReceivedMessage second = receiveOne(QUEUE);
        int errorsBefore = message(id).errors().size();

        assertThatThrownBy(() -> postroom.nack(id, first.leaseId(), "late failure", null, null))
                .isInstanceOf(StaleLeaseException.class);
        assertThat(message(id).errors()).hasSize(errorsBefore);
        assertThat(stateOf(id)).isEqualTo(MessageState.IN_FLIGHT);
        postroom.ack(id, second.leaseId(), null);
    }

    @Test
    void expiredLeaseMakesMessageReadyAgain() {
        createLeaseQueue(5);
        String id = sendId(QUEUE, "work");
        ReceivedMessage first = receiveOne(QUEUE);
        assertThat(first.attempt()).isEqualTo(1);

        letLeaseExpire();

        Message expired = message(id);
        assertThat(expired.state()).isIn(MessageState.SCHEDULED, MessageState.READY);
        assertThat(expired.leaseExpiresAt()).isNull();
        assertThat(expired.errors()).singleElement().satisfies(error -> {
            assertThat(error.attempt()).isEqualTo(1);
            assertThat(error.message()).containsIgnoringCase("lease expired");
        });
        passBackoff();
        assertThat(stateOf(id)).isEqualTo(MessageState.READY);

        ReceivedMessage second = receiveOne(QUEUE);
        assertThat(second.id()).isEqualTo(id);
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(second.leaseId()).isNotEqualTo(first.leaseId());
        assertThatThrownBy(() -> postroom.ack(id, first.leaseId(), null)).isInstanceOf(StaleLeaseException.class);
        postroom.ack(id, second.leaseId(), null);
        assertThat(stateOf(id)).isEqualTo(MessageState.SUCCEEDED);
    }

    @Test
    void leaseDoesNotExpireBeforeItsTime() {
        createLeaseQueue(5);
        String id = sendId(QUEUE, "work");
        ReceivedMessage received = receiveOne(QUEUE);
        clock.advance(LEASE.minusSeconds(1));
        postroom.runMaintenance();

        assertThat(stateOf(id)).isEqualTo(MessageState.IN_FLIGHT);
        assertThat(message(id).errors()).isEmpty();
        assertNothingToReceive(QUEUE);
        postroom.ack(id, received.leaseId(), null);
        assertThat(stateOf(id)).isEqualTo(MessageState.SUCCEEDED);
    }

    @Test
    void expiredLeaseOnTheLastAttemptMakesMessageDead() {
        createLeaseQueue(1);
        String id = sendId(QUEUE, "work");
        receiveOne(QUEUE);
        letLeaseExpire();

        Message dead = message(id);
        assertThat(dead.state()).isEqualTo(MessageState.DEAD);
        assertThat(dead.errors()).extracting(AttemptError::attempt).containsExactly(1);
        passBackoff();
        assertNothingToReceive(QUEUE);
    }

    @Test
    void extendMovesTheLeaseExpiry() {
        createLeaseQueue(5);
        String id = sendId(QUEUE, "long work");
        Instant receivedAt = clock.instant();
        ReceivedMessage received = receiveOne(QUEUE);
        assertThat(received.leaseExpiresAt()).isEqualTo(receivedAt.plus(LEASE));

        Instant extendedAt = clock.advance(Duration.ofSeconds(20));
        Instant newExpiry = postroom.extend(id, received.leaseId(), Duration.ofSeconds(60));

        assertThat(newExpiry).isEqualTo(extendedAt.plusSeconds(60));
        assertThat(message(id).leaseExpiresAt()).isEqualTo(newExpiry);
        clock.advance(Duration.ofSeconds(40)); // past the original expiry, before the new one
        postroom.runMaintenance();
        assertThat(stateOf(id)).isEqualTo(MessageState.IN_FLIGHT);
        assertThat(message(id).errors()).isEmpty();
        postroom.ack(id, received.leaseId(), null);
        assertThat(stateOf(id)).isEqualTo(MessageState.SUCCEEDED);
    }

    @Test
    void extendDoesNotCarryTheLeasePastTheQueuesMaxRun() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withLease(LEASE).withMaxRun(Duration.ofMinutes(2)));
        String id = sendId(QUEUE, "long work");
        Instant receivedAt = clock.instant();
        ReceivedMessage received = receiveOne(QUEUE);

        clock.advance(Duration.ofSeconds(90));
        Instant capped = postroom.extend(id, received.leaseId(), Duration.ofMinutes(5));

        assertThat(capped).as("the attempt's maxRun ends the lease").isEqualTo(receivedAt.plus(Duration.ofMinutes(2)));
        assertThat(message(id).leaseExpiresAt()).isEqualTo(capped);
        clock.set(capped);
        assertThatThrownBy(() -> postroom.extend(id, received.leaseId(), Duration.ofSeconds(30)))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("maxRun");
        clock.set(capped.plusSeconds(1));
        postroom.runMaintenance();
        assertThat(stateOf(id)).as("delivered again, as after any lease that ends").isIn(MessageState.SCHEDULED, MessageState.READY);
    }

    @Test
    void aBatchAckSettlesEachEntryOnItsOwn() {
        createLeaseQueue(5);
        String first = sendId(QUEUE, "one");
        String second = sendId(QUEUE, "two");
        String third = sendId(QUEUE, "three");
        java.util.List<ReceivedMessage> received = receive(QUEUE, 3);
        assertThat(received).hasSize(3);
        java.util.Map<String, String> leases = new java.util.HashMap<>();
        received.forEach(r -> leases.put(r.id(), r.leaseId()));

        java.util.List<SettleOutcome> outcomes = postroom.ackAll(java.util.List.of(
                new Settle.Ack(first, leases.get(first), Map.of("done", 1)),
                new Settle.Ack(second, "not-the-lease", null),
                new Settle.Ack("0000000000000000000000000x", "lease", null),
                new Settle.Ack(third, leases.get(third), null)));

        assertThat(outcomes).extracting(SettleOutcome::id).containsExactly(first, second, "0000000000000000000000000x", third);
        assertThat(outcomes.get(0).state()).isEqualTo(MessageState.SUCCEEDED);
        assertThat(outcomes.get(1).failure()).isInstanceOf(StaleLeaseException.class);
        assertThat(outcomes.get(2).failure()).isInstanceOf(MessageNotFoundException.class);
        assertThat(outcomes.get(3).settled()).isTrue();
        assertSameJson(message(first).resultJson(), Map.of("done", 1));
        assertThat(stateOf(second)).as("a failed entry leaves its message as it was").isEqualTo(MessageState.IN_FLIGHT);
        assertThat(stateOf(third)).isEqualTo(MessageState.SUCCEEDED);
        assertThatThrownBy(() -> postroom.ackAll(java.util.List.of())).isInstanceOf(InvalidMessageException.class);
    }

    @Test
    void aBatchNackFailsEachAttemptOnItsOwn() {
        createLeaseQueue(1);
        String doomed = sendId(QUEUE, "one");
        String kept = sendId(QUEUE, "two");
        java.util.List<ReceivedMessage> received = receive(QUEUE, 2);
        java.util.Map<String, String> leases = new java.util.HashMap<>();
        received.forEach(r -> leases.put(r.id(), r.leaseId()));

        java.util.List<SettleOutcome> outcomes = postroom.nackAll(java.util.List.of(
                new Settle.Nack(doomed, leases.get(doomed), "card declined", "trace", null),
                new Settle.Nack(kept, leases.get(kept), "", null, null)));

        assertThat(outcomes.get(0).state()).as("its last attempt").isEqualTo(MessageState.DEAD);
        assertThat(message(doomed).errors()).singleElement().satisfies(e -> assertThat(e.message()).isEqualTo("card declined"));
        assertThat(outcomes.get(1).failure()).isInstanceOf(InvalidMessageException.class);
        assertThat(stateOf(kept)).isEqualTo(MessageState.IN_FLIGHT);
    }

    @Test
    void extendedLeaseStillExpiresAtItsNewTime() {
        createLeaseQueue(5);
        String id = sendId(QUEUE, "work");
        ReceivedMessage received = receiveOne(QUEUE);
        Instant newExpiry = postroom.extend(id, received.leaseId(), Duration.ofMinutes(5));
        clock.set(newExpiry.plusSeconds(1));
        postroom.runMaintenance();

        assertThat(stateOf(id)).isIn(MessageState.SCHEDULED, MessageState.READY);
        assertThatThrownBy(() -> postroom.ack(id, received.leaseId(), null)).isInstanceOf(StaleLeaseException.class);
    }

    @Test
    void extendWithStaleLeaseIsRejected() {
        createLeaseQueue(5);
        String id = sendId(QUEUE, "work");
        ReceivedMessage first = receiveOne(QUEUE);
        letLeaseExpire();

        assertThatThrownBy(() -> postroom.extend(id, first.leaseId(), Duration.ofMinutes(5)))
                .isInstanceOf(StaleLeaseException.class);
        assertThat(stateOf(id)).isNotEqualTo(MessageState.IN_FLIGHT);
        assertThat(message(id).leaseExpiresAt()).isNull();
    }

    @Test
    void progressIsRecordedAndVisibleInGet() {
        createLeaseQueue(5);
        String id = sendId(QUEUE, "work");
        ReceivedMessage received = receiveOne(QUEUE);

        postroom.progress(id, received.leaseId(), 30, "a third of the refunds issued");
        assertThat(message(id).progress()).isEqualTo(new Progress(30, "a third of the refunds issued"));

        postroom.progress(id, received.leaseId(), null, "waiting for the bank");
        assertThat(message(id).progress()).isEqualTo(new Progress(null, "waiting for the bank"));

        postroom.progress(id, received.leaseId(), 100, null);
        assertThat(message(id).progress()).isEqualTo(new Progress(100, null));
        assertThat(stateOf(id)).isEqualTo(MessageState.IN_FLIGHT);
    }

    @Test
    void progressWithStaleLeaseIsRejectedAndNotRecorded() {
        createLeaseQueue(5);
        String id = sendId(QUEUE, "work");
        ReceivedMessage received = receiveOne(QUEUE);
        postroom.progress(id, received.leaseId(), 10, "started");

        assertThatThrownBy(() -> postroom.progress(id, "not-the-lease", 90, "almost")).isInstanceOf(StaleLeaseException.class);
        assertThat(message(id).progress()).isEqualTo(new Progress(10, "started"));
    }

    @Test
    void everyDeliveryGetsItsOwnLeaseId() {
        createLeaseQueue(5);
        String id = sendId(QUEUE, "work");
        ReceivedMessage first = receiveOne(QUEUE);
        postroom.nack(id, first.leaseId(), "retry", null, Duration.ZERO);
        ReceivedMessage second = receiveOne(QUEUE);

        assertThat(second.id()).isEqualTo(id);
        assertThat(second.leaseId()).isNotEqualTo(first.leaseId());
        assertThatThrownBy(() -> postroom.extend(id, first.leaseId(), Duration.ofSeconds(10))).isInstanceOf(StaleLeaseException.class);
        postroom.ack(id, second.leaseId(), null);
    }
}
