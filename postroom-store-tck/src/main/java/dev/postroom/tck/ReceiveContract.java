package dev.postroom.tck;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.postroom.Backoff;
import dev.postroom.InvalidMessageException;
import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.OutgoingMessage;
import dev.postroom.QueueNotFoundException;
import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import dev.postroom.ReceiveOptions;
import dev.postroom.ReceivedMessage;
import dev.postroom.SendOptions;
import dev.postroom.TimelineEntry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Receiving: highest priority first, then oldest; each message leased to one receiver at a time;
 * nothing before its time; nothing from a paused queue; never more in flight than the queue's
 * concurrency. And how long the next deliverable message has waited ({@code oldestReady}): since it
 * became READY, not counting leased or still-scheduled messages.
 */
public abstract class ReceiveContract extends ContractSupport {
    private static final String QUEUE = "inbox";

    private String sendWithPriority(int priority, Object payload) {
        return send(QUEUE, payload, SendOptions.builder().priority(priority).build()).id();
    }

    /** A typed payload for {@link ReceivedMessage#payload(Class)}. */
    public record Line(String sku, int quantity) {
    }

    @Test
    void receivedPayloadIsDecodedIntoTheAskedType() {
        createQueue(QUEUE);
        send(QUEUE, List.of(new Line("mug", 2), new Line("tea", 1)));

        ReceivedMessage received = receiveOne(QUEUE);

        assertThat(received.<List<Line>>payload(new TypeReference<List<Line>>() { })).containsExactly(new Line("mug", 2), new Line("tea", 1));
        assertThat(received.payload(List.class)).hasSize(2);
        assertThatThrownBy(() -> received.payload(Line.class))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("payload"))
                .hasMessageContaining(Line.class.getTypeName());
    }

    @Test
    void anIdleLongPollDoesNotAskTheStoreAgainAndAgain() throws InterruptedException {
        createQueue(QUEUE);
        AtomicInteger claims = new AtomicInteger();
        try (Postroom counted = Postroom.builder().store(InterceptedStore.of(store, method -> {
                    if (method.equals("claim")) {
                        claims.incrementAndGet();
                    }
                })).closeStore(false).node("long-poller").clock(InstantSource.system()).maintenanceInterval(null).build()) {

            assertThat(counted.receive(QUEUE, new ReceiveOptions(1, Duration.ofSeconds(2), null))).isEmpty();
        }

        // One claim at the start, then one each time the idle wait (at most half a second) ends: polling every
        // 100 ms would make twenty.
        assertThat(claims.get()).isBetween(1, 8);
    }

    @Test
    void higherPriorityIsReceivedFirst() {
        createQueue(QUEUE);
        String low = sendWithPriority(0, "low");
        String high = sendWithPriority(9, "high");
        String middle = sendWithPriority(5, "middle");

        List<String> order = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            order.add(receiveAndAck(QUEUE).id());
        }
        assertThat(order).containsExactly(high, middle, low);
    }

    @Test
    void batchReceiveTakesTheHighestPrioritiesFirst() {
        createQueue(QUEUE);
        for (int i = 0; i < 5; i++) {
            sendWithPriority(0, "low " + i);
        }
        String urgent1 = sendWithPriority(9, "urgent 1");
        String urgent2 = sendWithPriority(9, "urgent 2");

        assertThat(ids(receive(QUEUE, 2))).containsExactlyInAnyOrder(urgent1, urgent2);
    }

    @Test
    void samePriorityIsReceivedInSendOrder() {
        createQueue(QUEUE);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            sent.add(sendId(QUEUE, i));
            clock.advance(Duration.ofMillis(i % 3)); // some share a millisecond, some do not
        }
        sent.addAll(sentIds(sendBatch(QUEUE, List.of(OutgoingMessage.of(10), OutgoingMessage.of(11), OutgoingMessage.of(12)))));

        List<String> received = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            received.add(receiveAndAck(QUEUE).id());
        }
        // The rest in batches of four: each batch is the oldest four left.
        while (received.size() < sent.size()) {
            List<ReceivedMessage> batch = receive(QUEUE, 4);
            assertThat(batch).isNotEmpty();
            int from = received.size();
            assertThat(ids(batch)).containsExactlyInAnyOrderElementsOf(sent.subList(from, Math.min(from + 4, sent.size())));
            batch.stream().sorted((a, b) -> a.id().compareTo(b.id())).forEach(m -> {
                postroom.ack(m.id(), m.leaseId(), null);
                received.add(m.id());
            });
        }
        assertThat(received).containsExactlyElementsOf(sent);
    }

    @Test
    void receivedMessageCarriesItsPayloadHeadersAndFirstAttempt() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(4).withLease(Duration.ofSeconds(45)));
        Instant sentAt = clock.instant();
        String id = send(QUEUE, Map.of("order", "o-1", "cents", 250),
                SendOptions.builder().priority(3).orderingKey("o-1").header("tenant", "acme").build()).id();
        Instant receivedAt = clock.advance(Duration.ofSeconds(5));

        ReceivedMessage received = receiveOne(QUEUE);

        assertThat(received.id()).isEqualTo(id);
        assertThat(received.queue()).isEqualTo(QUEUE);
        assertSameJson(received.payloadJson(), Map.of("order", "o-1", "cents", 250));
        assertThat(received.headers()).isEqualTo(Map.of("tenant", "acme"));
        assertThat(received.attempt()).isEqualTo(1);
        assertThat(received.maxAttempts()).isEqualTo(4);
        assertThat(received.leaseId()).isNotBlank();
        assertThat(received.leaseExpiresAt()).isEqualTo(receivedAt.plus(Duration.ofSeconds(45)));
        assertThat(received.enqueuedAt()).isEqualTo(sentAt);
        assertThat(received.orderingKey()).isEqualTo("o-1");
        assertThat(received.priority()).isEqualTo(3);

        Message message = message(id);
        assertThat(message.state()).isEqualTo(MessageState.IN_FLIGHT);
        assertThat(message.attempt()).isEqualTo(1);
        assertThat(message.leaseExpiresAt()).isEqualTo(receivedAt.plus(Duration.ofSeconds(45)));
        TimelineEntry last = message.timeline().getLast();
        assertThat(last.state()).isEqualTo(MessageState.IN_FLIGHT);
        assertThat(last.at()).isEqualTo(receivedAt);
        assertThat(last.attempt()).isEqualTo(1);
        assertThat(last.node()).isEqualTo(NODE);
    }

    @Test
    void receiveLeaseOptionOverridesTheQueueLease() {
        createQueue(QUEUE);
        sendId(QUEUE, "x");
        Instant now = clock.instant();
        ReceivedMessage received = receive(QUEUE, 1, Duration.ofMinutes(2)).getFirst();
        assertThat(received.leaseExpiresAt()).isEqualTo(now.plus(Duration.ofMinutes(2)));
        assertThat(message(received.id()).leaseExpiresAt()).isEqualTo(now.plus(Duration.ofMinutes(2)));
    }

    @Test
    void delayedMessageIsNotReceivedBeforeItsTime() {
        createQueue(QUEUE);
        String id = send(QUEUE, "later", SendOptions.builder().delay(Duration.ofSeconds(10)).build()).id();
        assertNothingToReceive(QUEUE);

        clock.advance(Duration.ofMillis(9_999));
        postroom.runMaintenance();
        assertNothingToReceive(QUEUE);
        assertThat(stateOf(id)).isEqualTo(MessageState.SCHEDULED);

        clock.advance(Duration.ofMillis(1)); // exactly at notBefore: "not before" means it may go now
        assertThat(receiveOne(QUEUE).id()).isEqualTo(id);
    }

    @Test
    void dueMessageIsPromotedByMaintenance() {
        createQueue(QUEUE);
        String id = send(QUEUE, "later", SendOptions.builder().delay(Duration.ofMinutes(1)).build()).id();
        clock.advance(Duration.ofMinutes(2));
        postroom.runMaintenance();
        assertThat(stateOf(id)).isEqualTo(MessageState.READY);
        assertThat(message(id).timeline()).extracting(TimelineEntry::state).containsExactly(MessageState.SCHEDULED, MessageState.READY);
    }

    @Test
    void pausedQueueDeliversNothingUntilResumed() {
        createQueue(QUEUE);
        String before = sendId(QUEUE, "before pause");
        ReceivedMessage held = receiveOne(QUEUE);
        String other = sendId(QUEUE, "waiting");

        postroom.pause(QUEUE);
        assertThat(postroom.queue(QUEUE).paused()).isTrue();
        String during = sendId(QUEUE, "sent while paused");
        assertNothingToReceive(QUEUE);
        clock.advance(Duration.ofSeconds(5));
        postroom.runMaintenance();
        assertNothingToReceive(QUEUE);
        postroom.ack(held.id(), held.leaseId(), null); // settling what is in flight still works
        assertThat(stateOf(before)).isEqualTo(MessageState.SUCCEEDED);

        postroom.resume(QUEUE);
        assertThat(postroom.queue(QUEUE).paused()).isFalse();
        assertThat(ids(receive(QUEUE, 10))).containsExactlyInAnyOrder(other, during);
    }

    @Test
    void pausingOneQueueDoesNotStopAnother() {
        createQueue(QUEUE);
        createQueue("other");
        sendId(QUEUE, "paused");
        String flowing = sendId("other", "flowing");
        postroom.pause(QUEUE);

        assertNothingToReceive(QUEUE);
        assertThat(receiveOne("other").id()).isEqualTo(flowing);
    }

    @Test
    void concurrencyLimitCapsMessagesInFlight() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withConcurrency(2));
        for (int i = 0; i < 5; i++) {
            sendId(QUEUE, i);
        }

        List<ReceivedMessage> first = receive(QUEUE, 10);
        assertThat(first).hasSize(2);
        assertNothingToReceive(QUEUE);
        assertThat(counts(QUEUE).inFlight()).isEqualTo(2);

        postroom.ack(first.get(0).id(), first.get(0).leaseId(), null);
        List<ReceivedMessage> second = receive(QUEUE, 10);
        assertThat(second).hasSize(1);
        assertThat(counts(QUEUE).inFlight()).isEqualTo(2);

        postroom.nack(first.get(1).id(), first.get(1).leaseId(), "later", null, Duration.ofHours(1));
        assertThat(receive(QUEUE, 10)).hasSize(1);
        assertThat(counts(QUEUE).inFlight()).isEqualTo(2);
        assertNothingToReceive(QUEUE);
    }

    @Test
    void raisingTheConcurrencyLimitLetsMoreThrough() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withConcurrency(1));
        for (int i = 0; i < 3; i++) {
            sendId(QUEUE, i);
        }
        assertThat(receive(QUEUE, 10)).hasSize(1);
        createQueue(QUEUE, QueuePolicy.DEFAULT.withConcurrency(3));
        assertThat(receive(QUEUE, 10)).hasSize(2);
    }

    @Test
    void eachMessageIsLeasedToOnlyOneReceive() {
        createQueue(QUEUE);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            sent.add(sendId(QUEUE, i));
        }
        Set<String> received = new HashSet<>();
        List<ReceivedMessage> batch;
        while (!(batch = receive(QUEUE, 4)).isEmpty()) {
            for (ReceivedMessage m : batch) {
                assertThat(received.add(m.id())).as("%s received twice", m.id()).isTrue();
            }
        }
        assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(counts(QUEUE).inFlight()).isEqualTo(10);
    }

    @Test
    void maxBoundsHowManyAreReceived() {
        createQueue(QUEUE);
        for (int i = 0; i < 10; i++) {
            sendId(QUEUE, i);
        }
        assertThat(receive(QUEUE, 3)).hasSize(3);
        assertThat(receive(QUEUE, 1)).hasSize(1);
        assertThat(receive(QUEUE, 100)).hasSize(6);
    }

    @Test
    void ackedMessageIsNotReceivedAgain() {
        createQueue(QUEUE);
        sendId(QUEUE, "once");
        receiveAndAck(QUEUE);
        clock.advance(Duration.ofHours(1));
        postroom.runMaintenance();
        assertNothingToReceive(QUEUE);
    }

    @Test
    void receiveFromAnEmptyQueueReturnsNothing() {
        createQueue(QUEUE);
        assertNothingToReceive(QUEUE);
    }

    @Test
    void receiveFromAnUnknownQueueIsRejected() {
        assertThatThrownBy(() -> receive("nowhere", 1)).isInstanceOf(QueueNotFoundException.class);
    }

    @Test
    void messagesStayInTheirQueue() {
        createQueue(QUEUE);
        createQueue("elsewhere");
        String here = sendId(QUEUE, "here");
        String there = sendId("elsewhere", "there");

        assertThat(ids(receive("elsewhere", 10))).containsExactly(there);
        assertThat(ids(receive(QUEUE, 10))).containsExactly(here);
    }

    // ---------------------------------------------------------------- oldest ready

    private Instant oldestReady() {
        Instant fromStore = store.oldestReady(QUEUE).orElse(null);
        assertThat(postroom.queue(QUEUE).oldestReadyAt()).as("QueueInfo.oldestReadyAt of %s", QUEUE).isEqualTo(fromStore);
        return fromStore;
    }

    @Test
    void nextDueIsTheEarliestTimeAScheduledMessageBecomesReady() {
        createQueue(QUEUE);
        assertThat(store.nextDue(QUEUE)).as("nothing scheduled").isEmpty();
        Instant now = clock.instant();
        send(QUEUE, "later", SendOptions.builder().delay(Duration.ofSeconds(30)).build());
        send(QUEUE, "sooner", SendOptions.builder().delay(Duration.ofSeconds(10)).build());
        sendId(QUEUE, "now");

        assertThat(store.nextDue(QUEUE)).contains(now.plusSeconds(10));
        assertThat(store.nextDue("no-such-queue")).isEmpty();
    }

    @Test
    void oldestReadyOfAQueueWithNothingReadyIsEmpty() {
        createQueue(QUEUE);
        assertThat(store.oldestReady(QUEUE)).isEmpty();
        assertThat(oldestReady()).isNull();
        assertThat(store.oldestReady("no-such-queue")).isEmpty();
    }

    @Test
    void oldestReadyIsWhenTheLongestWaitingMessageWasSent() {
        createQueue(QUEUE);
        Instant first = clock.instant();
        sendId(QUEUE, "first");
        Instant second = clock.advance(Duration.ofSeconds(3));
        sendId(QUEUE, "second");
        clock.advance(Duration.ofSeconds(5));

        assertThat(oldestReady()).isEqualTo(first);
        assertThat(postroom.queue(QUEUE).oldestReadyAge(clock.instant())).isEqualTo(Duration.ofSeconds(8));

        ReceivedMessage leased = receiveOne(QUEUE);
        assertThat(oldestReady()).as("a leased message is not waiting").isEqualTo(second);

        postroom.ack(leased.id(), leased.leaseId(), null);
        assertThat(oldestReady()).isEqualTo(second);

        receiveAndAck(QUEUE);
        assertThat(oldestReady()).isNull();
    }

    @Test
    void oldestReadyLooksBeyondPriorityOrder() {
        createQueue(QUEUE);
        Instant low = clock.instant();
        sendWithPriority(0, "low");
        clock.advance(Duration.ofSeconds(1));
        sendWithPriority(9, "high");

        assertThat(oldestReady()).isEqualTo(low);
        receiveAndAck(QUEUE); // the high-priority message goes first
        assertThat(oldestReady()).isEqualTo(low);
    }

    @Test
    void delayedMessageIsReadySinceItsDueTimeOnceDue() {
        createQueue(QUEUE);
        Instant due = clock.instant().plus(Duration.ofSeconds(10));
        send(QUEUE, "later", SendOptions.builder().delay(Duration.ofSeconds(10)).build());
        clock.advance(Duration.ofSeconds(5));
        postroom.runMaintenance();
        assertThat(oldestReady()).as("a scheduled message is not ready").isNull();

        clock.advance(Duration.ofSeconds(25));
        postroom.runMaintenance();
        sendId(QUEUE, "now");
        assertThat(oldestReady()).as("ready since its due time, not since it was sent or promoted").isEqualTo(due);
    }

    @Test
    void retriedMessageIsReadySinceItsRetryWasDue() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(3)
                .withBackoff(new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(10), 1.0)));
        String id = sendId(QUEUE, "flaky");
        clock.advance(Duration.ofSeconds(1));
        receiveAndNack(QUEUE, id);
        Instant due = message(id).notBefore();
        assertThat(oldestReady()).isNull();

        clock.set(due.plus(Duration.ofMinutes(1)));
        postroom.runMaintenance();
        assertThat(stateOf(id)).isEqualTo(MessageState.READY);
        assertThat(oldestReady()).isEqualTo(due);
    }
}
