package dev.postroom.tck;

import dev.postroom.Backoff;
import dev.postroom.MessageState;
import dev.postroom.QueuePolicy;
import dev.postroom.ReceivedMessage;
import dev.postroom.SendOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ordering keys: messages with the same key are handled one at a time, in send order. A key is held
 * by its oldest unfinished message, whether in flight, waiting out a retry or not yet due; a key
 * frees when that message finishes (succeeded, dead or cancelled). Other keys and unkeyed messages
 * are never blocked by a busy key.
 */
public abstract class OrderingContract extends ContractSupport {
    private static final String QUEUE = "ordered";
    private static final Backoff TEN_SECONDS = new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(10), 1.0);

    /** The lease of every message this test received, by id (the latest delivery wins). */
    private final Map<String, String> leases = new HashMap<>();

    private String sendKeyed(String key, Object payload) {
        return send(QUEUE, payload, SendOptions.builder().orderingKey(key).build()).id();
    }

    @Test
    void orderingKeyAllowsOneInFlight() {
        createQueue(QUEUE);
        String first = sendKeyed("customer-1", 1);
        sendKeyed("customer-1", 2);
        sendKeyed("customer-1", 3);

        assertThat(ids(receive(QUEUE, 10))).containsExactly(first);
        assertNothingToReceive(QUEUE);
        assertThat(counts(QUEUE).inFlight()).isEqualTo(1);
    }

    @Test
    void messagesOfAKeyAreDeliveredInSendOrder() {
        createQueue(QUEUE);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sent.add(sendKeyed("customer-1", i));
        }
        List<String> received = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            List<ReceivedMessage> batch = receive(QUEUE, 10);
            assertThat(batch).hasSize(1);
            received.add(batch.getFirst().id());
            postroom.ack(batch.getFirst().id(), batch.getFirst().leaseId(), null);
        }
        assertThat(received).containsExactlyElementsOf(sent);
    }

    @Test
    void priorityDoesNotReorderAKey() {
        createQueue(QUEUE);
        String first = send(QUEUE, "low first", SendOptions.builder().orderingKey("k").priority(0).build()).id();
        String second = send(QUEUE, "high second", SendOptions.builder().orderingKey("k").priority(9).build()).id();

        assertThat(ids(receive(QUEUE, 10))).containsExactly(first);
        postroom.ack(first, leaseOf(first), null);
        assertThat(ids(receive(QUEUE, 10))).containsExactly(second);
    }

    @Test
    void retryingMessageHoldsItsKey() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withBackoff(TEN_SECONDS));
        String first = sendKeyed("k", "first");
        String second = sendKeyed("k", "second");

        ReceivedMessage attempt1 = receiveOne(QUEUE);
        assertThat(postroom.nack(first, attempt1.leaseId(), "failed", null, null)).isEqualTo(MessageState.SCHEDULED);
        assertNothingToReceive(QUEUE);
        clock.advance(Duration.ofSeconds(5));
        postroom.runMaintenance();
        assertNothingToReceive(QUEUE);

        clock.advance(Duration.ofSeconds(10));
        postroom.runMaintenance();
        ReceivedMessage attempt2 = receiveOne(QUEUE);
        assertThat(attempt2.id()).isEqualTo(first);
        assertThat(attempt2.attempt()).isEqualTo(2);
        assertNothingToReceive(QUEUE);
        postroom.ack(first, attempt2.leaseId(), null);
        assertThat(receiveOne(QUEUE).id()).isEqualTo(second);
    }

    @Test
    void expiredLeaseKeepsTheMessageAtTheHeadOfItsKey() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withBackoff(TEN_SECONDS).withLease(Duration.ofSeconds(30)));
        String first = sendKeyed("k", "first");
        sendKeyed("k", "second");
        receiveOne(QUEUE);

        clock.advance(Duration.ofSeconds(31));
        postroom.runMaintenance();
        assertNothingToReceive(QUEUE);
        clock.advance(Duration.ofSeconds(15));
        postroom.runMaintenance();
        assertThat(receiveOne(QUEUE).id()).isEqualTo(first);
    }

    @Test
    void scheduledHeadOfAKeyHoldsLaterMessages() {
        createQueue(QUEUE);
        String first = send(QUEUE, "later", SendOptions.builder().orderingKey("k").delay(Duration.ofMinutes(1)).build()).id();
        String second = sendKeyed("k", "now");

        assertNothingToReceive(QUEUE);
        clock.advance(Duration.ofMinutes(1));
        postroom.runMaintenance();
        assertThat(ids(receive(QUEUE, 10))).containsExactly(first);
        postroom.ack(first, leaseOf(first), null);
        assertThat(ids(receive(QUEUE, 10))).containsExactly(second);
    }

    @Test
    void busyKeyDoesNotBlockOtherKeysOrUnkeyedMessages() {
        createQueue(QUEUE);
        String a1 = sendKeyed("a", "a1");
        sendKeyed("a", "a2");
        String b1 = sendKeyed("b", "b1");
        sendKeyed("b", "b2");
        String free1 = sendId(QUEUE, "unkeyed 1");
        String free2 = sendId(QUEUE, "unkeyed 2");

        assertThat(ids(receive(QUEUE, 10))).containsExactlyInAnyOrder(a1, b1, free1, free2);
        assertNothingToReceive(QUEUE);
    }

    @Test
    void busyKeyDoesNotBlockAKeyThatCameLater() {
        createQueue(QUEUE);
        String a1 = sendKeyed("a", "a1");
        sendKeyed("a", "a2");
        assertThat(receiveOne(QUEUE).id()).isEqualTo(a1);
        String b1 = sendKeyed("b", "b1");
        assertThat(receiveOne(QUEUE).id()).isEqualTo(b1);
    }

    @Test
    void deadMessageReleasesItsKey() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(1));
        String first = sendKeyed("k", "doomed");
        String second = sendKeyed("k", "next");

        assertThat(receiveAndNack(QUEUE, first)).isEqualTo(MessageState.DEAD);
        assertThat(receiveOne(QUEUE).id()).isEqualTo(second);
    }

    @Test
    void cancelledMessageReleasesItsKey() {
        createQueue(QUEUE);
        String first = sendKeyed("k", "cancel me");
        String second = sendKeyed("k", "next");
        receiveOne(QUEUE);

        postroom.cancel(first);
        assertThat(receiveOne(QUEUE).id()).isEqualTo(second);
    }

    @Test
    void sameKeyOnAnotherQueueIsIndependent() {
        createQueue(QUEUE);
        createQueue("other");
        String here = sendKeyed("k", "here");
        String there = send("other", "there", SendOptions.builder().orderingKey("k").build()).id();

        assertThat(receiveOne(QUEUE).id()).isEqualTo(here);
        assertThat(receiveOne("other").id()).isEqualTo(there);
    }

    /**
     * Many keys, interleaved sends, random priorities, and a random share of failed attempts: every
     * receive hands out at most one message per key, and always the head of the key's line.
     */
    @Test
    void interleavedKeysKeepTheirOwnOrderThroughRetries() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(3));
        Random random = new Random(seed);
        Map<String, Deque<String>> lines = new HashMap<>();
        for (int i = 0; i < 60; i++) {
            String key = random.nextInt(5) == 0 ? null : "key-" + random.nextInt(4);
            String id = send(QUEUE, i, SendOptions.builder().orderingKey(key).priority(random.nextInt(10)).build()).id();
            if (key != null) {
                lines.computeIfAbsent(key, k -> new ArrayDeque<>()).add(id);
            }
            if (random.nextBoolean()) {
                clock.advance(Duration.ofMillis(1));
            }
        }

        int finished = 0;
        for (int round = 0; finished < 60; round++) {
            assertThat(round).as("rounds needed to drain (seed %d)", seed).isLessThan(1_000);
            List<ReceivedMessage> batch = receive(QUEUE, 1 + random.nextInt(8));
            assertThat(batch).as("nothing deliverable with %d unfinished (seed %d)", 60 - finished, seed).isNotEmpty();
            Set<String> keysInBatch = new HashSet<>();
            for (ReceivedMessage m : batch) {
                if (m.orderingKey() != null) {
                    assertThat(keysInBatch.add(m.orderingKey())).as("two of key %s in one receive (seed %d)", m.orderingKey(), seed).isTrue();
                    assertThat(m.id()).as("head of key %s (seed %d)", m.orderingKey(), seed).isEqualTo(lines.get(m.orderingKey()).peek());
                }
            }
            for (ReceivedMessage m : batch) {
                boolean fail = random.nextInt(4) == 0;
                MessageState state = fail
                        ? postroom.nack(m.id(), m.leaseId(), "random failure", null, Duration.ZERO)
                        : ack(m);
                if (state.isFinal()) {
                    finished++;
                    if (m.orderingKey() != null) {
                        lines.get(m.orderingKey()).remove();
                    }
                }
            }
        }
        assertThat(lines.values()).allSatisfy(line -> assertThat(line).isEmpty());
    }

    private MessageState ack(ReceivedMessage m) {
        postroom.ack(m.id(), m.leaseId(), null);
        return MessageState.SUCCEEDED;
    }

    /** The lease id of an in-flight message, from the receive that leased it (kept by the test). */
    private String leaseOf(String id) {
        String lease = leases.get(id);
        assertThat(lease).as("lease of %s", id).isNotNull();
        return lease;
    }

    /** Remembers the lease of everything received, for {@link #leaseOf}. */
    @Override
    protected List<ReceivedMessage> receive(String queue, int max, Duration lease) {
        List<ReceivedMessage> received = super.receive(queue, max, lease);
        received.forEach(m -> leases.put(m.id(), m.leaseId()));
        return received;
    }
}
