package dev.postroom.tck;

import dev.postroom.MessageState;
import dev.postroom.OutgoingMessage;
import dev.postroom.QueuePolicy;
import dev.postroom.ReceivedMessage;
import dev.postroom.SendOptions;
import dev.postroom.SendResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Idempotency keys: a repeat send with the same key on the same queue, while the first message is
 * retained, stores nothing and returns the first message (its id and current state) marked
 * duplicate. Keys are per queue; once the first message is gone (deleted or purged by retention)
 * the key is free again.
 */
public abstract class IdempotencyContract extends ContractSupport {
    private static final String QUEUE = "refunds";

    private static SendOptions key(String key) {
        return SendOptions.builder().idempotencyKey(key).build();
    }

    @Test
    void repeatSendReturnsTheFirstMessageAsADuplicate() {
        createQueue(QUEUE);
        SendResult first = send(QUEUE, "original", key("refund-42"));
        SendResult repeat = send(QUEUE, "changed on the second try", key("refund-42"));

        assertThat(first.duplicate()).isFalse();
        assertThat(repeat.duplicate()).isTrue();
        assertThat(repeat.id()).isEqualTo(first.id());
        assertThat(repeat.state()).isEqualTo(MessageState.READY);
        assertSameJson(message(first.id()).payloadJson(), "original");
        assertThat(counts(QUEUE).ready()).isEqualTo(1);
        assertThat(message(first.id()).timeline()).hasSize(1);
    }

    @Test
    void duplicateReportsTheFirstMessagesCurrentState() {
        createQueue(QUEUE);
        SendResult scheduled = send(QUEUE, "later", SendOptions.builder().idempotencyKey("a").delay(Duration.ofHours(1)).build());
        assertThat(send(QUEUE, "later", key("a")).state()).isEqualTo(MessageState.SCHEDULED);

        SendResult ready = send(QUEUE, "now", key("b"));
        ReceivedMessage received = receiveOne(QUEUE);
        assertThat(received.id()).isEqualTo(ready.id());
        assertThat(send(QUEUE, "now", key("b")).state()).isEqualTo(MessageState.IN_FLIGHT);
        postroom.ack(received.id(), received.leaseId(), null);
        SendResult afterAck = send(QUEUE, "now", key("b"));
        assertThat(afterAck.id()).isEqualTo(ready.id());
        assertThat(afterAck.state()).isEqualTo(MessageState.SUCCEEDED);
        assertThat(afterAck.duplicate()).isTrue();
        assertThat(stateOf(scheduled.id())).isEqualTo(MessageState.SCHEDULED);
    }

    @Test
    void sameKeyOnDifferentQueuesIsIndependent() {
        createQueue(QUEUE);
        createQueue("exports");
        SendResult here = send(QUEUE, "refund", key("job-1"));
        SendResult there = send("exports", "export", key("job-1"));

        assertThat(there.duplicate()).isFalse();
        assertThat(there.id()).isNotEqualTo(here.id());
        assertThat(message(there.id()).queue()).isEqualTo("exports");
        assertThat(send("exports", "export again", key("job-1")).id()).isEqualTo(there.id());
    }

    @Test
    void withinABatchTheSecondIsADuplicateOfTheFirst() {
        createQueue(QUEUE);
        List<SendResult> results = sendBatch(QUEUE, List.of(
                new OutgoingMessage("first", key("k")),
                new OutgoingMessage("second", key("k")),
                new OutgoingMessage("other", key("other"))));

        assertThat(results.get(0).duplicate()).isFalse();
        assertThat(results.get(1).duplicate()).isTrue();
        assertThat(results.get(1).id()).isEqualTo(results.get(0).id());
        assertThat(results.get(2).duplicate()).isFalse();
        assertThat(results.get(2).id()).isNotEqualTo(results.get(0).id());
        assertThat(counts(QUEUE).ready()).isEqualTo(2);
        assertSameJson(message(results.get(0).id()).payloadJson(), "first");
    }

    @Test
    void batchEntryRepeatingAStoredKeyReturnsTheStoredMessage() {
        createQueue(QUEUE);
        SendResult stored = send(QUEUE, "stored", key("k"));
        List<SendResult> results = sendBatch(QUEUE, List.of(
                new OutgoingMessage("fresh", key("fresh")),
                new OutgoingMessage("repeat", key("k"))));

        assertThat(results.get(0).duplicate()).isFalse();
        assertThat(results.get(1).duplicate()).isTrue();
        assertThat(results.get(1).id()).isEqualTo(stored.id());
        assertThat(counts(QUEUE).ready()).isEqualTo(2);
    }

    @Test
    void keyIsHeldWhileTheFirstMessageIsRetained() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withRetention(Duration.ofHours(1)));
        SendResult first = send(QUEUE, "once", key("k"));
        receiveAndAck(QUEUE);
        clock.advance(Duration.ofMinutes(30));
        postroom.runMaintenance();

        SendResult repeat = send(QUEUE, "twice", key("k"));
        assertThat(repeat.duplicate()).isTrue();
        assertThat(repeat.id()).isEqualTo(first.id());
        assertNothingToReceive(QUEUE);
    }

    @Test
    void deadMessageStillHoldsItsKey() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(1));
        SendResult first = send(QUEUE, "doomed", key("k"));
        receiveAndNack(QUEUE, first.id());

        SendResult repeat = send(QUEUE, "again", key("k"));
        assertThat(repeat.duplicate()).isTrue();
        assertThat(repeat.state()).isEqualTo(MessageState.DEAD);
    }

    @Test
    void keyIsFreeAgainAfterRetentionPurge() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withRetention(Duration.ofHours(1)));
        SendResult first = send(QUEUE, "first", key("k"));
        receiveAndAck(QUEUE);
        clock.advance(Duration.ofHours(2));
        postroom.runMaintenance();
        assertThat(postroom.get(first.id())).isEmpty();

        SendResult again = send(QUEUE, "second", key("k"));
        assertThat(again.duplicate()).isFalse();
        assertThat(again.id()).isNotEqualTo(first.id());
        assertSameJson(message(again.id()).payloadJson(), "second");
        assertThat(send(QUEUE, "third", key("k")).id()).isEqualTo(again.id());
    }

    @Test
    void deletedMessageFreesItsKey() {
        createQueue(QUEUE);
        SendResult first = send(QUEUE, "first", key("k"));
        assertThat(postroom.delete(first.id())).isTrue();

        SendResult again = send(QUEUE, "second", key("k"));
        assertThat(again.duplicate()).isFalse();
        assertThat(again.id()).isNotEqualTo(first.id());
    }

    @Test
    void messagesWithoutAKeyAreNeverDuplicates() {
        createQueue(QUEUE);
        SendResult a = send(QUEUE, "same");
        SendResult b = send(QUEUE, "same");
        assertThat(a.duplicate()).isFalse();
        assertThat(b.duplicate()).isFalse();
        assertThat(a.id()).isNotEqualTo(b.id());
        assertThat(counts(QUEUE).ready()).isEqualTo(2);
    }
}
