package dev.postroom.tck;

import dev.postroom.BatchOptions;
import dev.postroom.InvalidMessageException;
import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.OutgoingMessage;
import dev.postroom.ReceivedMessage;
import dev.postroom.SendOptions;
import dev.postroom.SendResult;
import dev.postroom.UniqueKeyConflictException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Unique and debounce keys ({@link SendOptions#uniqueKey}, {@link dev.postroom.Debounce}): a unique
 * key refuses a send while a message holding it is unfinished, naming it, and frees once it ends; a
 * debounce key sends into the key's message that has not started — its payload replaced, its start
 * pushed back a window, never past the maximum wait — and a send after it started begins a new one.
 * Bad combinations are refused before anything is stored. Driven by the {@link FakeClock}.
 */
public abstract class SendKeysContract extends ContractSupport {
    private static final String QUEUE = "reindex";
    private static final Duration WINDOW = Duration.ofSeconds(10);

    private static SendOptions unique(String key) {
        return SendOptions.builder().uniqueKey(key).build();
    }

    private static SendOptions debounce(String key, Duration maxWait) {
        return SendOptions.builder().debounce(key, WINDOW, maxWait).build();
    }

    // ---------------------------------------------------------------- unique

    @Test
    void aUniqueKeyRefusesASecondSendWhileTheFirstIsUnfinished() {
        createQueue(QUEUE);
        String first = send(QUEUE, Map.of("export", 1), unique("export-7")).id();

        assertThatThrownBy(() -> send(QUEUE, Map.of("export", 2), unique("export-7")))
                .isInstanceOfSatisfying(UniqueKeyConflictException.class, e -> {
                    assertThat(e.existingId()).isEqualTo(first);
                    assertThat(e.key()).isEqualTo("export-7");
                });
        ReceivedMessage leased = receiveOne(QUEUE);
        assertThatThrownBy(() -> send(QUEUE, 3, unique("export-7"))).isInstanceOf(UniqueKeyConflictException.class);
        assertThat(send(QUEUE, 4, unique("export-8")).id()).isNotEqualTo(first);
        assertThat(counts(QUEUE).ready() + counts(QUEUE).inFlight()).isEqualTo(2);

        postroom.ack(leased.id(), leased.leaseId(), null);
        SendResult again = send(QUEUE, 5, unique("export-7"));

        assertThat(again.id()).isNotEqualTo(first);
        assertThat(again.duplicate()).isFalse();
    }

    @Test
    void aUniqueKeyConflictRefusesTheWholeBatch() {
        createQueue(QUEUE);
        send(QUEUE, 1, unique("held"));

        assertThatThrownBy(() -> sendBatch(QUEUE, List.of(new OutgoingMessage(2, unique("free")), new OutgoingMessage(3, unique("held")))))
                .isInstanceOf(UniqueKeyConflictException.class);

        assertThat(counts(QUEUE).ready()).isEqualTo(1);
        send(QUEUE, 4, unique("free"));
    }

    @Test
    void aUniqueKeyOutlivesARestart() {
        createQueue(QUEUE);
        String first = send(QUEUE, 1, unique("export-7")).id();

        restart();

        assertThatThrownBy(() -> send(QUEUE, 2, unique("export-7")))
                .isInstanceOfSatisfying(UniqueKeyConflictException.class, e -> assertThat(e.existingId()).isEqualTo(first));
    }

    // ---------------------------------------------------------------- debounce

    @Test
    void aBurstGoesIntoOneMessageWithTheLastPayloadStartingAWindowAfterTheLastSend() {
        createQueue(QUEUE);
        SendResult first = send(QUEUE, Map.of("edit", 1), debounce("catalogue", null));
        assertThat(first.state()).isEqualTo(MessageState.SCHEDULED);
        assertThat(first.debounced()).isFalse();
        clock.advance(Duration.ofSeconds(6));

        SendResult second = send(QUEUE, Map.of("edit", 2), debounce("catalogue", null));

        assertThat(second.id()).isEqualTo(first.id());
        assertThat(second.debounced()).isTrue();
        assertThat(second.state()).isEqualTo(MessageState.SCHEDULED);
        Message merged = message(first.id());
        assertSameJson(merged.payloadJson(), Map.of("edit", 2));
        assertThat(merged.notBefore()).isEqualTo(clock.instant().plus(WINDOW));
        assertThat(merged.timeline().getLast().reason()).isEqualTo("debounced: payload replaced by a later send");
        assertThat(counts(QUEUE).scheduled()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(9));
        postroom.runMaintenance();
        assertNothingToReceive(QUEUE);
        clock.advance(Duration.ofSeconds(1));
        assertThat(receiveOne(QUEUE).id()).isEqualTo(first.id());
    }

    @Test
    void aBurstNeverPushesTheStartPastTheMaximumWait() {
        createQueue(QUEUE);
        String id = send(QUEUE, 0, debounce("catalogue", Duration.ofSeconds(30))).id();
        for (int i = 1; i <= 3; i++) {
            clock.advance(Duration.ofSeconds(9));
            assertThat(send(QUEUE, i, debounce("catalogue", Duration.ofSeconds(30))).id()).isEqualTo(id);
        }

        assertThat(message(id).notBefore()).as("capped at the first send plus 30 s, not 27 + 10 s").isEqualTo(START.plusSeconds(30));
        clock.advance(Duration.ofSeconds(3));
        assertThat(receiveOne(QUEUE).id()).isEqualTo(id);
        assertSameJson(message(id).payloadJson(), 3);
    }

    @Test
    void aSendAfterTheMessageStartedBeginsANewOne() {
        createQueue(QUEUE);
        String first = send(QUEUE, 1, debounce("catalogue", null)).id();
        clock.advance(WINDOW);
        ReceivedMessage running = receiveOne(QUEUE);

        SendResult next = send(QUEUE, 2, debounce("catalogue", null));

        assertThat(next.id()).isNotEqualTo(first);
        assertThat(next.debounced()).isFalse();
        assertSameJson(message(first).payloadJson(), 1);
        postroom.ack(running.id(), running.leaseId(), null);
        assertThat(send(QUEUE, 3, debounce("catalogue", null)).id()).isEqualTo(next.id());
    }

    @Test
    void aMessageWaitingToBeRetriedHasRunAndIsNotDebouncedInto() {
        createQueue(QUEUE, dev.postroom.QueuePolicy.DEFAULT.withMaxAttempts(3));
        String first = send(QUEUE, 1, debounce("catalogue", null)).id();
        clock.advance(WINDOW);
        assertThat(receiveAndNack(QUEUE, first)).isEqualTo(MessageState.SCHEDULED);

        SendResult next = send(QUEUE, 2, debounce("catalogue", null));

        assertThat(next.id()).isNotEqualTo(first);
        assertThat(next.debounced()).isFalse();
        assertSameJson(message(first).payloadJson(), 1);
    }

    @Test
    void aDueMessageNotHandedOutYetIsStillDebouncedAndWaitsAgain() {
        createQueue(QUEUE);
        String id = send(QUEUE, 1, debounce("catalogue", null)).id();
        clock.advance(WINDOW);
        postroom.runMaintenance();
        assertThat(stateOf(id)).isEqualTo(MessageState.READY);

        SendResult merged = send(QUEUE, 2, debounce("catalogue", null));

        assertThat(merged.id()).isEqualTo(id);
        assertThat(merged.state()).isEqualTo(MessageState.SCHEDULED);
        assertThat(counts(QUEUE).ready()).isZero();
        assertThat(counts(QUEUE).scheduled()).isEqualTo(1);
        assertNothingToReceive(QUEUE);
    }

    // ---------------------------------------------------------------- refusals

    @Test
    void badCombinationsAreRefusedNamingTheFieldAndStoreNothing() {
        createQueue(QUEUE);
        assertThatThrownBy(() -> postroom.send(QUEUE, 1, SendOptions.builder().debounce("k", WINDOW, null).delay(WINDOW).build()))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("delay"));
        assertThatThrownBy(() -> postroom.send(QUEUE, 1, SendOptions.builder().debounce("k", Duration.ZERO, null).build()))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("debounce.window"));
        assertThatThrownBy(() -> postroom.send(QUEUE, 1, SendOptions.builder().debounce("k", WINDOW, Duration.ofSeconds(5)).build()))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("debounce.maxWait"));
        assertThatThrownBy(() -> postroom.send(QUEUE, 1, SendOptions.builder().debounce("k", WINDOW, null).uniqueKey("u").build()))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("uniqueKey"));
        assertThatThrownBy(() -> postroom.send(QUEUE, 1, SendOptions.builder().uniqueKey("").build()))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("uniqueKey"));
        assertThatThrownBy(() -> postroom.sendBatch(QUEUE, List.of(new OutgoingMessage(1, debounce("k", null)),
                new OutgoingMessage(2, debounce("k", null)))))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("messages[1].debounce.key"));
        assertThatThrownBy(() -> postroom.sendBatch(QUEUE, List.of(new OutgoingMessage(1, unique("u")), new OutgoingMessage(2, unique("u")))))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("messages[1].uniqueKey"));
        assertThatThrownBy(() -> postroom.batches().send(QUEUE, List.of(new OutgoingMessage(1, debounce("k", null))), BatchOptions.NONE))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("messages[0].debounce"));

        assertQueueHoldsNothing(QUEUE);
    }
}
