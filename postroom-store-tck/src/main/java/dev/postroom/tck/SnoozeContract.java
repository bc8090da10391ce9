package dev.postroom.tck;

import dev.postroom.InvalidMessageException;
import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.QueuePolicy;
import dev.postroom.ReceivedMessage;
import dev.postroom.StaleLeaseException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Snooze ({@link dev.postroom.Delivery#snooze}, {@link dev.postroom.Postroom#snooze}): a leased
 * message goes back SCHEDULED for the delay without spending an attempt, its snoozes counted and on
 * its timeline; the lease ends; past the queue's {@code maxSnoozes} it is DEAD with a reason; the
 * count survives a restart. Driven by the {@link FakeClock}.
 */
public abstract class SnoozeContract extends ContractSupport {
    private static final String QUEUE = "imports";

    @Test
    void aSnoozedMessageComesBackAfterTheDelayWithItsAttemptNotSpent() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(2));
        String id = sendId(QUEUE, Map.of("file", "orders.csv"));
        ReceivedMessage first = receiveOne(QUEUE);
        assertThat(first.attempt()).isEqualTo(1);

        assertThat(postroom.snooze(id, first.leaseId(), Duration.ofSeconds(30))).isEqualTo(MessageState.SCHEDULED);

        Message snoozed = message(id);
        assertThat(snoozed.state()).isEqualTo(MessageState.SCHEDULED);
        assertThat(snoozed.attempt()).as("attempt given back").isZero();
        assertThat(snoozed.snoozes()).isEqualTo(1);
        assertThat(snoozed.notBefore()).isEqualTo(clock.instant().plusSeconds(30));
        assertThat(snoozed.errors()).isEmpty();
        assertThat(snoozed.timeline().getLast().reason()).isEqualTo("snoozed for 30.0 s (1 of 100)");
        assertThat(snoozed.timeline().getLast().state()).isEqualTo(MessageState.SCHEDULED);
        assertThatThrownBy(() -> postroom.ack(id, first.leaseId(), null)).isInstanceOf(StaleLeaseException.class);
        assertNothingToReceive(QUEUE);

        clock.advance(Duration.ofSeconds(30));
        ReceivedMessage again = receiveOne(QUEUE);
        assertThat(again.attempt()).as("the same attempt again").isEqualTo(1);
        postroom.ack(id, again.leaseId(), null);
        assertThat(message(id).snoozes()).isEqualTo(1);
    }

    @Test
    void aSnoozeWithoutDelayIsReadyAtOnce() {
        createQueue(QUEUE);
        String id = sendId(QUEUE, 1);

        assertThat(postroom.snooze(id, receiveOne(QUEUE).leaseId(), Duration.ZERO)).isEqualTo(MessageState.READY);

        assertThat(receiveOne(QUEUE).id()).isEqualTo(id);
        assertThat(message(id).timeline()).extracting(e -> e.reason()).contains("snoozed (1 of 100)");
    }

    @Test
    void oneSnoozePastTheQueuesLimitEndsTheMessageDead() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxSnoozes(2));
        String id = sendId(QUEUE, 1);
        for (int i = 0; i < 2; i++) {
            assertThat(postroom.snooze(id, receiveOne(QUEUE).leaseId(), Duration.ZERO)).isEqualTo(MessageState.READY);
        }

        assertThat(postroom.snooze(id, receiveOne(QUEUE).leaseId(), Duration.ZERO)).isEqualTo(MessageState.DEAD);

        Message dead = message(id);
        assertThat(dead.state()).isEqualTo(MessageState.DEAD);
        assertThat(dead.snoozes()).isEqualTo(2);
        assertThat(dead.errors().getLast().message()).isEqualTo("snoozed too often");
        assertThat(dead.timeline().getLast().reason()).isEqualTo("snoozed too often");
        assertThat(counts(QUEUE).dead()).isEqualTo(1);
    }

    @Test
    void aSnoozeNeedsTheCurrentLeaseAndAValidDelay() {
        createQueue(QUEUE);
        String id = sendId(QUEUE, 1);
        ReceivedMessage held = receiveOne(QUEUE);

        assertThatThrownBy(() -> postroom.snooze(id, "not-the-lease", Duration.ofSeconds(1))).isInstanceOf(StaleLeaseException.class);
        assertThatThrownBy(() -> postroom.snooze(id, held.leaseId(), Duration.ofSeconds(-1)))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("delay"));
        assertThatThrownBy(() -> createQueue("bad", QueuePolicy.DEFAULT.withMaxSnoozes(0)))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("maxSnoozes"));
        assertThat(stateOf(id)).isEqualTo(MessageState.IN_FLIGHT);
        assertThat(message(id).snoozes()).isZero();
    }

    @Test
    void aHandlerSnoozesAndRunsAgainLaterOnTheSameAttempt() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(1));
        AtomicInteger calls = new AtomicInteger();
        postroom.handle(QUEUE, Map.class, delivery -> {
            if (calls.incrementAndGet() == 1) {
                delivery.snooze(Duration.ofMinutes(1));
                throw new IllegalStateException("the file is not there yet");
            }
            return "imported on attempt " + delivery.attempt();
        });
        String id = sendId(QUEUE, Map.of("file", "orders.csv"));

        await().atMost(Duration.ofSeconds(30)).until(() -> stateOf(id) == MessageState.SCHEDULED);
        assertThat(message(id).errors()).as("a snooze is no failure, whatever the handler threw").isEmpty();
        clock.advance(Duration.ofMinutes(1));
        postroom.runMaintenance();

        await().atMost(Duration.ofSeconds(30)).until(() -> stateOf(id) == MessageState.SUCCEEDED);
        assertSameJson(message(id).resultJson(), "imported on attempt 1");
        assertThat(message(id).snoozes()).isEqualTo(1);
    }

    @Test
    void theSnoozeCountSurvivesARestart() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxSnoozes(1));
        String id = sendId(QUEUE, 1);
        postroom.snooze(id, receiveOne(QUEUE).leaseId(), Duration.ZERO);

        restart();

        assertThat(message(id).snoozes()).isEqualTo(1);
        assertThat(postroom.snooze(id, receiveOne(QUEUE).leaseId(), Duration.ZERO)).isEqualTo(MessageState.DEAD);
    }
}
