package dev.postroom.tck;

import dev.postroom.AttemptError;
import dev.postroom.Backoff;
import dev.postroom.IllegalTransitionException;
import dev.postroom.InvalidMessageException;
import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.MessageTooLargeException;
import dev.postroom.QueuePolicy;
import dev.postroom.ReceivedMessage;
import dev.postroom.TimelineEntry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Retries: a failed attempt waits out the queue's backoff (with ±20% jitter, capped at its max) or
 * an explicit delay, up to {@code maxAttempts}; then the message is DEAD with one error per
 * attempt. An operator retry or redrive brings a finished message back with fresh attempts.
 */
public abstract class RetryContract extends ContractSupport {
    private static final String QUEUE = "retries";
    private static final Backoff ONE_SECOND = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 1.0);

    /** Asserts {@code actual} is the jittered delay of {@code backoff} after {@code attempt}. */
    private void assertWithinJitter(Duration actual, Backoff backoff, int attempt) {
        long base = backoff.baseDelay(attempt).toMillis();
        long low = (long) Math.floor(base * 0.8);
        long high = Math.min((long) Math.ceil(base * 1.2), backoff.max().toMillis());
        assertThat(actual.toMillis())
                .as("retry delay after attempt %d of %s (seed %d)", attempt, backoff, seed)
                .isBetween(low, high);
    }

    private ReceivedMessage receiveAttempt(String id, int attempt) {
        ReceivedMessage received = receiveOne(QUEUE);
        assertThat(received.id()).isEqualTo(id);
        assertThat(received.attempt()).as("attempt of %s", id).isEqualTo(attempt);
        return received;
    }

    @Test
    void nackSchedulesTheRetryWithinTheBackoffJitter() {
        Backoff backoff = new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(10), 2.0);
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(5).withBackoff(backoff));
        String id = sendId(QUEUE, "flaky");

        for (int attempt = 1; attempt <= 3; attempt++) {
            ReceivedMessage received = receiveAttempt(id, attempt);
            Instant failedAt = clock.advance(Duration.ofMillis(250));
            MessageState state = postroom.nack(id, received.leaseId(), "attempt " + attempt + " failed", null, null);

            assertThat(state).isEqualTo(MessageState.SCHEDULED);
            Message message = message(id);
            assertThat(message.state()).isEqualTo(MessageState.SCHEDULED);
            assertThat(message.leaseExpiresAt()).isNull();
            assertWithinJitter(Duration.between(failedAt, message.notBefore()), backoff, attempt);

            clock.set(message.notBefore().minusMillis(1));
            postroom.runMaintenance();
            assertNothingToReceive(QUEUE);
            clock.set(message.notBefore());
        }
        assertThat(message(id).errors()).extracting(AttemptError::attempt).containsExactly(1, 2, 3);
    }

    @Test
    void backoffIsCappedAtItsMax() {
        Backoff backoff = new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(15), 3.0);
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(10).withBackoff(backoff));
        String id = sendId(QUEUE, "flaky");

        for (int attempt = 1; attempt <= 4; attempt++) {
            ReceivedMessage received = receiveAttempt(id, attempt);
            Instant failedAt = clock.instant();
            postroom.nack(id, received.leaseId(), "failed", null, null);
            Duration delay = Duration.between(failedAt, message(id).notBefore());
            assertWithinJitter(delay, backoff, attempt);
            assertThat(delay).isLessThanOrEqualTo(backoff.max());
            clock.advance(backoff.max());
        }
    }

    @Test
    void messageDiesAfterMaxAttemptsKeepingEveryError() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(3).withBackoff(ONE_SECOND));
        String id = sendId(QUEUE, "doomed");
        List<AttemptError> expected = new ArrayList<>();

        for (int attempt = 1; attempt <= 3; attempt++) {
            ReceivedMessage received = receiveAttempt(id, attempt);
            Instant failedAt = clock.advance(Duration.ofMillis(100));
            MessageState state = postroom.nack(id, received.leaseId(), "failure " + attempt, "detail " + attempt + "\n\tat Refunds.issue", null);
            expected.add(new AttemptError(attempt, failedAt, "failure " + attempt, "detail " + attempt + "\n\tat Refunds.issue"));
            assertThat(state).isEqualTo(attempt < 3 ? MessageState.SCHEDULED : MessageState.DEAD);
            clock.advance(Duration.ofSeconds(2));
            postroom.runMaintenance();
        }

        Message dead = message(id);
        assertThat(dead.state()).isEqualTo(MessageState.DEAD);
        assertThat(dead.attempt()).isEqualTo(3);
        assertThat(dead.leaseExpiresAt()).isNull();
        assertThat(dead.errors()).containsExactlyElementsOf(expected);
        assertThat(dead.timeline().getLast().state()).isEqualTo(MessageState.DEAD);
        assertThat(dead.timeline().getLast().attempt()).isEqualTo(3);
        clock.advance(Duration.ofHours(1));
        postroom.runMaintenance();
        assertNothingToReceive(QUEUE);
        assertThat(counts(QUEUE).dead()).isEqualTo(1);
    }

    /** A thousand attempts of 64 KiB stack traces would make one row of 65 MB: a message keeps the first error and the latest. */
    @Test
    void aMessageWithManyAttemptsKeepsItsFirstAndLatestErrorsAndTimelineWithinBounds() {
        int attempts = 150;
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(attempts).withBackoff(ONE_SECOND));
        String id = sendId(QUEUE, "doomed");

        for (int attempt = 1; attempt <= attempts; attempt++) {
            ReceivedMessage received = receiveAttempt(id, attempt);
            clock.advance(Duration.ofMillis(100));
            postroom.nack(id, received.leaseId(), "failure " + attempt, "detail " + attempt, null);
            clock.advance(Duration.ofSeconds(2));
            postroom.runMaintenance();
        }

        Message dead = message(id);
        assertThat(dead.state()).isEqualTo(MessageState.DEAD);
        assertThat(dead.errors().size()).isBetween(AttemptError.MAX_KEPT - 2, AttemptError.MAX_KEPT);
        assertThat(dead.errors().getFirst().message()).isEqualTo("failure 1");
        assertThat(dead.errors().getLast().message()).isEqualTo("failure " + attempts);
        assertThat(dead.errors()).extracting(AttemptError::attempt).isSorted();
        assertThat(dead.timeline().size()).isBetween(TimelineEntry.MAX_KEPT - 4, TimelineEntry.MAX_KEPT + 2);
        assertThat(dead.timeline().getFirst().reason()).isEqualTo("sent");
        assertThat(dead.timeline().getLast().state()).isEqualTo(MessageState.DEAD);
        assertThat(dead.timeline().getLast().attempt()).isEqualTo(attempts);
    }

    @Test
    void errorWithoutDetailIsKeptWithNullDetail() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(1));
        String id = sendId(QUEUE, "doomed");
        ReceivedMessage received = receiveOne(QUEUE);
        postroom.nack(id, received.leaseId(), "no detail", null, null);
        assertThat(message(id).errors()).singleElement().satisfies(error -> {
            assertThat(error.message()).isEqualTo("no detail");
            assertThat(error.detail()).isNull();
        });
    }

    @Test
    void aResultOrAnErrorOverItsLimitIsRefusedNamingTheFieldAndChangesNothing() {
        createQueue(QUEUE);
        String id = sendId(QUEUE, "big answer");
        ReceivedMessage received = receiveOne(QUEUE);
        String huge = "x".repeat(postroom.limits().maxPayloadBytes() + 1);

        assertThatThrownBy(() -> postroom.ack(id, received.leaseId(), huge))
                .isInstanceOfSatisfying(MessageTooLargeException.class, e -> assertThat(e.field()).isEqualTo("result"));
        assertThatThrownBy(() -> postroom.nack(id, received.leaseId(), "e".repeat(2_001), null, null))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("error.message"));
        assertThatThrownBy(() -> postroom.deadLetter(id, received.leaseId(), "gone", "d".repeat(65_537)))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("error.detail"));

        Message unchanged = message(id);
        assertThat(unchanged.state()).isEqualTo(MessageState.IN_FLIGHT);
        assertThat(unchanged.errors()).isEmpty();
        postroom.ack(id, received.leaseId(), "a result within the limit");
        assertThat(stateOf(id)).isEqualTo(MessageState.SUCCEEDED);
    }

    @Test
    void aDeleteOnlyInAStateKeepsAMessageThatLeftIt() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(1));
        String redriven = sendId(QUEUE, "redriven before the delete");
        String dead = sendId(QUEUE, "still dead");
        postroom.deadLetter(redriven, receiveOne(QUEUE).leaseId(), "gone", null);
        postroom.deadLetter(dead, receiveOne(QUEUE).leaseId(), "gone", null);
        postroom.retry(redriven); // another operator, between a listing and the delete

        assertThat(postroom.delete(redriven, MessageState.DEAD)).isFalse();
        assertThat(postroom.delete(dead, MessageState.DEAD)).isTrue();

        assertThat(stateOf(redriven)).isEqualTo(MessageState.READY);
        assertThat(postroom.get(dead)).isEmpty();
        ReceivedMessage leased = receiveOne(QUEUE);
        assertThat(postroom.delete(leased.id(), MessageState.READY)).as("leased: IN_FLIGHT, not READY").isFalse();
        assertThat(postroom.delete(leased.id(), MessageState.IN_FLIGHT)).isTrue();
        assertThat(counts(QUEUE).inFlight()).isZero();
    }

    @Test
    void deadLetterGivesUpWithAttemptsLeft() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(5).withBackoff(ONE_SECOND));
        String id = sendId(QUEUE, "order gone");
        ReceivedMessage received = receiveOne(QUEUE);
        Instant failedAt = clock.instant();

        MessageState state = postroom.deadLetter(id, received.leaseId(), "order 42 no longer exists", "detail");

        assertThat(state).isEqualTo(MessageState.DEAD);
        Message dead = message(id);
        assertThat(dead.state()).isEqualTo(MessageState.DEAD);
        assertThat(dead.attempt()).isEqualTo(1);
        assertThat(dead.leaseExpiresAt()).isNull();
        assertThat(dead.errors()).containsExactly(new AttemptError(1, failedAt, "order 42 no longer exists", "detail"));
        assertThat(dead.timeline().getLast().reason()).isEqualTo("failed; not retryable");
        clock.advance(Duration.ofHours(1));
        postroom.runMaintenance();
        assertNothingToReceive(QUEUE);
        assertThat(counts(QUEUE).dead()).isEqualTo(1);
    }

    @Test
    void explicitRetryAfterIsHonoured() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withBackoff(ONE_SECOND));
        String id = sendId(QUEUE, "rate limited");
        ReceivedMessage received = receiveOne(QUEUE);
        Instant failedAt = clock.instant();

        MessageState state = postroom.nack(id, received.leaseId(), "429 from the bank", null, Duration.ofMinutes(7));

        assertThat(state).isEqualTo(MessageState.SCHEDULED);
        assertThat(message(id).notBefore()).isEqualTo(failedAt.plus(Duration.ofMinutes(7)));
        clock.advance(Duration.ofMinutes(7).minusSeconds(1));
        postroom.runMaintenance();
        assertNothingToReceive(QUEUE);
        clock.advance(Duration.ofSeconds(1));
        receiveAttempt(id, 2);
    }

    @Test
    void zeroRetryAfterMakesTheMessageDeliverableAtOnce() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withBackoff(new Backoff(Duration.ofHours(1), Duration.ofHours(1), 1.0)));
        String id = sendId(QUEUE, "retry now");
        ReceivedMessage received = receiveOne(QUEUE);

        clock.advance(Duration.ofSeconds(5));
        MessageState state = postroom.nack(id, received.leaseId(), "try again", null, Duration.ZERO);

        // Not merely due soon: READY, available from the nack's own time (the stores once differed here).
        assertThat(state).isEqualTo(MessageState.READY);
        Message failed = message(id);
        assertThat(failed.state()).isEqualTo(MessageState.READY);
        assertThat(failed.notBefore()).isEqualTo(clock.instant());
        receiveAttempt(id, 2);
    }

    @Test
    void retryOfADeadMessageMakesItReadyWithFreshAttempts() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(2).withBackoff(ONE_SECOND));
        String id = sendId(QUEUE, "doomed");
        for (int attempt = 1; attempt <= 2; attempt++) {
            ReceivedMessage received = receiveAttempt(id, attempt);
            postroom.nack(id, received.leaseId(), "failure " + attempt, null, Duration.ZERO);
        }
        assertThat(stateOf(id)).isEqualTo(MessageState.DEAD);

        assertThat(postroom.retry(id)).isEqualTo(MessageState.READY);

        Message retried = message(id);
        assertThat(retried.state()).isEqualTo(MessageState.READY);
        assertThat(retried.leaseExpiresAt()).isNull();
        assertThat(retried.timeline().getLast().state()).isEqualTo(MessageState.READY);
        assertThat(retried.timeline().getLast().node()).isEqualTo(NODE);
        assertThat(retried.timeline().getLast().attempt()).as("the attempt count the retry leaves").isZero();
        assertThat(retried.notBefore()).isEqualTo(clock.instant());
        // Fresh attempts: two more deliveries before it is dead again.
        ReceivedMessage again = receiveAttempt(id, 1);
        assertThat(postroom.nack(id, again.leaseId(), "failure 3", null, Duration.ZERO))
                .isIn(MessageState.READY, MessageState.SCHEDULED);
        ReceivedMessage last = receiveAttempt(id, 2);
        assertThat(postroom.nack(id, last.leaseId(), "failure 4", null, Duration.ZERO)).isEqualTo(MessageState.DEAD);
    }

    @Test
    void retryOfAReadyMessageIsAnIllegalTransition() {
        createQueue(QUEUE);
        String id = sendId(QUEUE, "fine");

        assertThatThrownBy(() -> postroom.retry(id)).isInstanceOfSatisfying(IllegalTransitionException.class, e -> {
            assertThat(e.messageId()).isEqualTo(id);
            assertThat(e.state()).isEqualTo(MessageState.READY);
        });
        assertThat(stateOf(id)).isEqualTo(MessageState.READY);
        assertThat(message(id).timeline()).hasSize(1);
    }

    @Test
    void retryOfAnInFlightMessageIsAnIllegalTransitionAndKeepsTheLease() {
        createQueue(QUEUE);
        String id = sendId(QUEUE, "busy");
        ReceivedMessage received = receiveOne(QUEUE);

        assertThatThrownBy(() -> postroom.retry(id)).isInstanceOf(IllegalTransitionException.class);
        assertThat(stateOf(id)).isEqualTo(MessageState.IN_FLIGHT);
        postroom.ack(id, received.leaseId(), null);
        assertThat(stateOf(id)).isEqualTo(MessageState.SUCCEEDED);
    }

    @Test
    void retryOfACancelledMessageMakesItReady() {
        createQueue(QUEUE);
        String id = sendId(QUEUE, "cancelled by mistake");
        postroom.cancel(id);

        assertThat(postroom.retry(id)).isEqualTo(MessageState.READY);
        receiveAttempt(id, 1);
    }

    @Test
    void retryOfASucceededMessageRunsItAgain() {
        createQueue(QUEUE);
        String id = sendId(QUEUE, "again please");
        receiveAndAck(QUEUE);

        assertThat(postroom.retry(id)).isEqualTo(MessageState.READY);
        receiveAttempt(id, 1);
    }

    @Test
    void redriveMovesEveryDeadMessageOfTheQueueToReady() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(1));
        createQueue("neighbour", QueuePolicy.DEFAULT.withMaxAttempts(1));
        List<String> dead = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String id = sendId(QUEUE, "dead " + i);
            assertThat(receiveAndNack(QUEUE, id)).isEqualTo(MessageState.DEAD);
            dead.add(id);
        }
        String ready = sendId(QUEUE, "ready");
        String neighbourDead = sendId("neighbour", "dead elsewhere");
        ReceivedMessage n = receiveOne("neighbour");
        postroom.nack(neighbourDead, n.leaseId(), "failed", null, null);

        assertThat(postroom.redrive(QUEUE)).isEqualTo(3);

        assertThat(dead).allSatisfy(id -> assertThat(stateOf(id)).isEqualTo(MessageState.READY));
        assertThat(stateOf(ready)).isEqualTo(MessageState.READY);
        assertThat(stateOf(neighbourDead)).isEqualTo(MessageState.DEAD);
        assertThat(postroom.redrive(QUEUE)).isZero();
        List<ReceivedMessage> received = receive(QUEUE, 10);
        assertThat(ids(received)).containsExactlyInAnyOrder(dead.get(0), dead.get(1), dead.get(2), ready);
        assertThat(received).allSatisfy(m -> assertThat(m.attempt()).isEqualTo(1));
    }
}
