package dev.postroom.store;

import dev.postroom.IllegalTransitionException;
import dev.postroom.MessageState;
import dev.postroom.TimelineEntry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The semantics of every transition, decided once for all stores. */
class TransitionTest {
    private static final Instant NOW = Instant.parse("2026-12-04T10:00:00Z");
    private static final String NODE = "node-1";
    private static final RetryPlanner TEN_SECONDS = (queue, attempt) -> Duration.ofSeconds(10L * attempt);

    private static Failure failure(Duration retryAfter) {
        return new Failure("id", "lease", "boom", "stack", retryAfter, false, TEN_SECONDS, NOW, NODE);
    }

    @Test
    void aFailureThatGivesUpIsDeadWithAttemptsLeft() {
        Transition t = Transition.failed("refunds", 1, 5, new Failure("id", "lease", "boom", "stack", null, true, TEN_SECONDS, NOW, NODE));

        assertThat(t.to()).isEqualTo(MessageState.DEAD);
        assertThat(t.attempt()).isEqualTo(1);
        assertThat(t.errorMessage()).isEqualTo("boom");
        assertThat(t.clearsProgress()).isTrue();
        assertThat(t.entry(1)).isEqualTo(new TimelineEntry(NOW, MessageState.DEAD, NODE, 1, "failed; not retryable"));
    }

    @Test
    void aFailedAttemptBeforeTheLastIsScheduledAfterThePlannersBackoff() {
        Transition t = Transition.failed("refunds", 2, 5, failure(null));

        assertThat(t.to()).isEqualTo(MessageState.SCHEDULED);
        assertThat(t.availableAt()).isEqualTo(NOW.plusSeconds(20));
        assertThat(t.attempt()).isEqualTo(2);
        assertThat(t.errorMessage()).isEqualTo("boom");
        assertThat(t.errorDetail()).isEqualTo("stack");
        assertThat(t.clearsProgress()).isTrue();
        assertThat(t.entry(2)).isEqualTo(new TimelineEntry(NOW, MessageState.SCHEDULED, NODE, 2, "failed; will retry"));
    }

    @Test
    void anExplicitRetryAfterWinsOverTheBackoff() {
        Transition t = Transition.failed("refunds", 1, 5, failure(Duration.ofMinutes(3)));

        assertThat(t.to()).isEqualTo(MessageState.SCHEDULED);
        assertThat(t.availableAt()).isEqualTo(NOW.plus(Duration.ofMinutes(3)));
    }

    @Test
    void aZeroDelayMakesTheMessageReadyNow() {
        Transition t = Transition.failed("refunds", 1, 5, failure(Duration.ZERO));

        assertThat(t.to()).isEqualTo(MessageState.READY);
        assertThat(t.availableAt()).isEqualTo(NOW);
    }

    @Test
    void aNegativeDelayIsReadyNowNotInThePast() {
        Transition t = Transition.failed("refunds", 1, 5, failure(Duration.ofSeconds(-30)));

        assertThat(t.to()).isEqualTo(MessageState.READY);
        assertThat(t.availableAt()).isEqualTo(NOW);
    }

    @Test
    void theLastAllowedAttemptFailingIsDead() {
        Transition t = Transition.failed("refunds", 5, 5, failure(Duration.ofSeconds(1)));

        assertThat(t.to()).isEqualTo(MessageState.DEAD);
        assertThat(t.availableAt()).isEqualTo(NOW);
        assertThat(t.reason()).isEqualTo("failed; attempts exhausted");
        assertThat(t.errorMessage()).isEqualTo("boom");
    }

    @Test
    void anAttemptPastTheLimitIsDeadToo() {
        // A policy lowered while a message was held: its attempt may already exceed the new limit.
        assertThat(Transition.failed("refunds", 7, 5, failure(null)).to()).isEqualTo(MessageState.DEAD);
    }

    @Test
    void anExpiredLeaseIsAFailedAttemptWithItsOwnError() {
        Transition t = Transition.leaseExpired("refunds", 1, 3, TEN_SECONDS, NOW, NODE);

        assertThat(t.to()).isEqualTo(MessageState.SCHEDULED);
        assertThat(t.availableAt()).isEqualTo(NOW.plusSeconds(10));
        assertThat(t.errorMessage()).isEqualTo("lease expired");
        assertThat(t.errorDetail()).isEqualTo("the lease ended before the message was acked");
        assertThat(t.reason()).isEqualTo("lease expired; will retry");
        assertThat(Transition.leaseExpired("refunds", 3, 3, TEN_SECONDS, NOW, NODE).reason()).isEqualTo("lease expired; attempts exhausted");
    }

    @Test
    void anAckSucceedsKeepingTheAttemptCount() {
        Transition t = Transition.acked(NOW, NODE);

        assertThat(t.to()).isEqualTo(MessageState.SUCCEEDED);
        assertThat(t.attempt()).isNull();
        assertThat(t.entry(3)).isEqualTo(new TimelineEntry(NOW, MessageState.SUCCEEDED, NODE, 3, "acked"));
        assertThat(t.errorMessage()).isNull();
    }

    @Test
    void ttlExpiryIsDeadWithAnErrorAndKeepsEachRowsAttempt() {
        Transition t = Transition.expired(NOW, NODE);

        assertThat(t.to()).isEqualTo(MessageState.DEAD);
        assertThat(t.attempt()).isNull();
        assertThat(t.availableAt()).isNull();
        assertThat(t.errorMessage()).isEqualTo("expired");
        assertThat(t.reason()).isEqualTo("expired (TTL)");
        assertThat(Transition.EXPIRABLE).containsExactlyInAnyOrder(MessageState.SCHEDULED, MessageState.READY);
    }

    @Test
    void aDueMessageBecomesReady() {
        Transition t = Transition.due(NOW, NODE);

        assertThat(t.to()).isEqualTo(MessageState.READY);
        assertThat(t.reason()).isEqualTo("due");
        assertThat(t.availableAt()).isNull();
    }

    @Test
    void aRedriveStartsTheAttemptsAgainNow() {
        Transition t = Transition.redriven(NOW, NODE);

        assertThat(t.to()).isEqualTo(MessageState.READY);
        assertThat(t.attempt()).isZero();
        assertThat(t.availableAt()).isEqualTo(NOW);
        assertThat(t.reason()).isEqualTo("redriven");
    }

    @Test
    void aRetryOfAFinishedMessageStartsItsAttemptsAgain() {
        MessageAction action = new MessageAction("id", NOW, NODE, "retried by ops");
        for (MessageState from : Transition.RETRYABLE) {
            Transition t = Transition.retried(action, from);
            assertThat(t.to()).isEqualTo(MessageState.READY);
            assertThat(t.attempt()).isZero();
            assertThat(t.availableAt()).isEqualTo(NOW);
            assertThat(t.reason()).isEqualTo("retried by ops");
        }
    }

    @Test
    void anUnfinishedMessageCannotBeRetried() {
        MessageAction action = new MessageAction("id-7", NOW, NODE, "retry");
        for (MessageState from : EnumSet.complementOf(EnumSet.copyOf(Transition.RETRYABLE))) {
            assertThatThrownBy(() -> Transition.retried(action, from))
                    .isInstanceOf(IllegalTransitionException.class)
                    .hasMessageContaining("id-7").hasMessageContaining(from.name());
        }
    }

    @Test
    void anyUnfinishedMessageCanBeCancelledAndNoFinishedOne() {
        MessageAction action = new MessageAction("id", NOW, NODE, "cancelled by sender");
        for (MessageState from : MessageState.values()) {
            if (from.isFinal()) {
                assertThatThrownBy(() -> Transition.cancelled(action, from)).isInstanceOf(IllegalTransitionException.class);
            } else {
                Transition t = Transition.cancelled(action, from);
                assertThat(t.to()).isEqualTo(MessageState.CANCELLED);
                assertThat(t.attempt()).isNull();
                assertThat(t.reason()).isEqualTo("cancelled by sender");
            }
        }
    }
}
