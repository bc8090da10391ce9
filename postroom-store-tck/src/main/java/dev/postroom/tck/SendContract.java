package dev.postroom.tck;

import dev.postroom.InvalidMessageException;
import dev.postroom.Limits;
import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.MessageTooLargeException;
import dev.postroom.OutgoingMessage;
import dev.postroom.QueueNotFoundException;
import dev.postroom.QueuePolicy;
import dev.postroom.RawJson;
import dev.postroom.SendOptions;
import dev.postroom.SendResult;
import dev.postroom.TimelineEntry;
import dev.postroom.Futures;
import dev.postroom.store.MessageIds;
import dev.postroom.store.NewMessage;
import dev.postroom.store.SendBatch;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Sending: a send is stored with everything it was sent with, READY or SCHEDULED by its delay, under
 * a unique time-sortable id; a batch is all-or-nothing; bad input is rejected naming the field and
 * writes nothing.
 */
public abstract class SendContract extends ContractSupport {
    private static final String QUEUE = "sends";

    /** A payload with nesting, unicode and numbers, to see it come back exactly. */
    public record Refund(String orderId, int cents, List<String> lines, Map<String, Object> meta) {
    }

    private static Refund refund() {
        return new Refund("order-42", 1999, List.of("mug", "tea – green, 🍵"), Map.of("tags", List.of("vip"), "rush", true));
    }

    @Test
    void sentMessageIsStoredWithEverythingItWasSentWith() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(7));
        Instant sentAt = clock.instant();
        SendOptions options = SendOptions.builder()
                .priority(6)
                .orderingKey("customer-7")
                .idempotencyKey("refund-order-42")
                .header("tenant", "acme")
                .header("trace-id", "ümlaut ✓")
                .ttl(Duration.ofHours(2))
                .build();

        SendResult result = send(QUEUE, refund(), options);

        assertThat(result.state()).isEqualTo(MessageState.READY);
        assertThat(result.duplicate()).isFalse();
        Message message = message(result.id());
        assertThat(message.id()).isEqualTo(result.id());
        assertThat(message.queue()).isEqualTo(QUEUE);
        assertThat(message.state()).isEqualTo(MessageState.READY);
        assertSameJson(message.payloadJson(), refund());
        assertThat(message.headers()).isEqualTo(Map.of("tenant", "acme", "trace-id", "ümlaut ✓"));
        assertThat(message.priority()).isEqualTo(6);
        assertThat(message.orderingKey()).isEqualTo("customer-7");
        assertThat(message.idempotencyKey()).isEqualTo("refund-order-42");
        assertThat(message.attempt()).isZero();
        assertThat(message.maxAttempts()).isEqualTo(7);
        assertThat(message.enqueuedAt()).isEqualTo(sentAt);
        assertThat(message.expiresAt()).isEqualTo(sentAt.plus(Duration.ofHours(2)));
        assertThat(message.leaseExpiresAt()).isNull();
        assertThat(message.resultJson()).isNull();
        assertThat(message.progress()).isNull();
        assertThat(message.errors()).isEmpty();
        assertThat(message.timeline()).singleElement().satisfies(entry -> {
            assertThat(entry.state()).isEqualTo(MessageState.READY);
            assertThat(entry.at()).isEqualTo(sentAt);
            assertThat(entry.node()).isEqualTo(NODE);
            assertThat(entry.attempt()).isZero();
            assertThat(entry.reason()).isNotBlank();
        });
    }

    @Test
    void validateChecksLikeASendAndStoresNothing() {
        createQueue(QUEUE);
        List<OutgoingMessage> bad = List.of(new OutgoingMessage("fine", SendOptions.DEFAULTS),
                new OutgoingMessage("bad", SendOptions.builder().priority(10).build()));

        postroom.validate(QUEUE, List.of(new OutgoingMessage("fine", SendOptions.DEFAULTS)));
        assertThatThrownBy(() -> postroom.validate(QUEUE, bad))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("messages[1].priority"));
        assertThatThrownBy(() -> postroom.validate("no-such-queue", List.of(new OutgoingMessage("x", SendOptions.DEFAULTS))))
                .isInstanceOf(QueueNotFoundException.class);

        assertThat(counts(QUEUE).ready()).isZero();
    }

    @Test
    void messageWithoutOptionsHasNoKeysHeadersOrTtl() {
        createQueue(QUEUE);
        Message message = message(sendId(QUEUE, "plain"));
        assertSameJson(message.payloadJson(), "plain");
        assertThat(message.headers()).isEmpty();
        assertThat(message.priority()).isZero();
        assertThat(message.orderingKey()).isNull();
        assertThat(message.idempotencyKey()).isNull();
        assertThat(message.expiresAt()).isNull();
        assertThat(message.maxAttempts()).isEqualTo(QueuePolicy.DEFAULT.maxAttempts());
    }

    @Test
    void rawJsonPayloadIsStoredAsGiven() {
        createQueue(QUEUE);
        RawJson raw = new RawJson("{\"a\":[1,2,{\"b\":null}],\"c\":\"d\\\"e\",\"f\":1.5}");
        assertSameJson(message(sendId(QUEUE, raw)).payloadJson(), raw);
    }

    @Test
    void sendWithDelayIsScheduledUntilTheDelayHasPassed() {
        createQueue(QUEUE);
        Instant sentAt = clock.instant();
        SendResult result = send(QUEUE, "later", SendOptions.builder().delay(Duration.ofMinutes(5)).build());

        assertThat(result.state()).isEqualTo(MessageState.SCHEDULED);
        Message message = message(result.id());
        assertThat(message.state()).isEqualTo(MessageState.SCHEDULED);
        assertThat(message.notBefore()).isEqualTo(sentAt.plus(Duration.ofMinutes(5)));
        assertThat(message.timeline()).extracting(TimelineEntry::state).containsExactly(MessageState.SCHEDULED);
    }

    @Test
    void sendWithNotBeforeIsScheduledUntilThatInstant() {
        createQueue(QUEUE);
        Instant at = clock.instant().plus(Duration.ofHours(3));
        SendResult result = send(QUEUE, "at three", SendOptions.builder().notBefore(at).build());

        assertThat(result.state()).isEqualTo(MessageState.SCHEDULED);
        assertThat(message(result.id()).notBefore()).isEqualTo(at);
    }

    @Test
    void notBeforeInThePastIsReadyAtOnce() {
        createQueue(QUEUE);
        SendResult result = send(QUEUE, "overdue", SendOptions.builder().notBefore(clock.instant().minusSeconds(60)).build());

        assertThat(result.state()).isEqualTo(MessageState.READY);
        assertThat(stateOf(result.id())).isEqualTo(MessageState.READY);
    }

    @Test
    void zeroDelayIsReadyAtOnce() {
        createQueue(QUEUE);
        SendResult result = send(QUEUE, "now", SendOptions.builder().delay(Duration.ZERO).build());
        assertThat(result.state()).isEqualTo(MessageState.READY);
        assertThat(stateOf(result.id())).isEqualTo(MessageState.READY);
    }

    @Test
    void laterOfDelayAndNotBeforeWins() {
        createQueue(QUEUE);
        Instant now = clock.instant();
        String delayWins = send(QUEUE, 1, SendOptions.builder()
                .delay(Duration.ofMinutes(10)).notBefore(now.plus(Duration.ofMinutes(2))).build()).id();
        String notBeforeWins = send(QUEUE, 2, SendOptions.builder()
                .delay(Duration.ofMinutes(2)).notBefore(now.plus(Duration.ofMinutes(10))).build()).id();

        assertThat(message(delayWins).notBefore()).isEqualTo(now.plus(Duration.ofMinutes(10)));
        assertThat(message(notBeforeWins).notBefore()).isEqualTo(now.plus(Duration.ofMinutes(10)));
    }

    @Test
    void idsAreUniqueTimeSortableUuidV7s() {
        createQueue(QUEUE);
        List<String> ids = new ArrayList<>();
        for (int round = 0; round < 20; round++) {
            long millis = clock.millis();
            String single = sendId(QUEUE, round);
            assertThat(UUID.fromString(single).getMostSignificantBits() >>> 16)
                    .as("UUIDv7 timestamp of %s", single).isEqualTo(millis);
            ids.add(single);
            List<OutgoingMessage> batch = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                batch.add(OutgoingMessage.of(round * 100 + i));
            }
            ids.addAll(sentIds(sendBatch(QUEUE, batch)));
            if (round % 2 == 0) {
                clock.advance(Duration.ofMillis(1 + round));
            }
        }

        assertThat(ids).doesNotHaveDuplicates().isSorted();
        assertThat(ids).allSatisfy(id -> {
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).as("version of %s", id).isEqualTo(7);
            assertThat(uuid.variant()).as("variant of %s", id).isEqualTo(2);
            assertThat(message(id).id()).isEqualTo(id);
        });
        assertThat(counts(QUEUE).ready()).isEqualTo(ids.size());
    }

    @Test
    void batchIsStoredWithOneResultPerMessageInOrder() {
        createQueue(QUEUE);
        List<SendResult> results = sendBatch(QUEUE, List.of(
                OutgoingMessage.of("first"),
                new OutgoingMessage("second", SendOptions.builder().delay(Duration.ofSeconds(30)).build()),
                new OutgoingMessage("third", SendOptions.builder().priority(9).header("k", "v").build())));

        assertThat(results).extracting(SendResult::state)
                .containsExactly(MessageState.READY, MessageState.SCHEDULED, MessageState.READY);
        assertThat(results).extracting(SendResult::duplicate).containsOnly(false);
        assertThat(sentIds(results)).doesNotHaveDuplicates().isSorted();
        assertSameJson(message(results.get(0).id()).payloadJson(), "first");
        assertSameJson(message(results.get(1).id()).payloadJson(), "second");
        assertThat(message(results.get(2).id()).headers()).isEqualTo(Map.of("k", "v"));
        assertThat(message(results.get(2).id()).priority()).isEqualTo(9);
    }

    @Test
    void batchWithOneInvalidEntryWritesNothing() {
        createQueue(QUEUE);
        List<OutgoingMessage> batch = List.of(
                OutgoingMessage.of("fine"),
                new OutgoingMessage("bad", SendOptions.builder().priority(12).build()),
                OutgoingMessage.of("also fine"));

        assertThatThrownBy(() -> sendBatch(QUEUE, batch))
                .isInstanceOfSatisfying(InvalidMessageException.class,
                        e -> assertThat(e.field()).isEqualTo("messages[1].priority"));
        assertQueueHoldsNothing(QUEUE);
        assertNothingToReceive(QUEUE);
    }

    /**
     * The store itself must apply a batch atomically: a batch whose second message names a queue
     * that does not exist is rejected as a whole, and the first message is not stored either.
     */
    @Test
    void storeRejectsABatchNamingAMissingQueueAndWritesNothing() {
        createQueue(QUEUE);
        clock.advance(Duration.ofMillis(5));
        MessageIds ids = new MessageIds(clock);
        store.latestMessageId().ifPresent(ids::advancePast);
        Instant now = clock.instant();
        NewMessage good = new NewMessage(ids.next(), QUEUE, "\"good\"", Map.of(), 0, now, null, null, "key-good", 5);
        NewMessage orphan = new NewMessage(ids.next(), "no-such-queue", "\"orphan\"", Map.of(), 0, now, null, null, null, 5);

        assertThatThrownBy(() -> Futures.join(store.send(new SendBatch(List.of(good, orphan), now, NODE))))
                .isInstanceOf(QueueNotFoundException.class);
        assertThat(store.get(good.id())).isEmpty();
        assertThat(store.get(orphan.id())).isEmpty();
        assertQueueHoldsNothing(QUEUE);
        assertThat(store.queue("no-such-queue")).isEmpty();
        // The rolled-back idempotency key must not linger either.
        SendResult retried = send(QUEUE, "good", SendOptions.builder().idempotencyKey("key-good").build());
        assertThat(retried.duplicate()).isFalse();
    }

    @Test
    void sendToUnknownQueueIsRejectedAndWritesNothing() {
        createQueue(QUEUE);
        assertThatThrownBy(() -> send("missing", "lost"))
                .isInstanceOfSatisfying(QueueNotFoundException.class, e -> assertThat(e.queue()).isEqualTo("missing"));
        assertThat(store.queue("missing")).isEmpty();
        assertThat(store.counts()).doesNotContainKey("missing");
        assertQueueHoldsNothing(QUEUE);
    }

    @Test
    void priorityOutOfRangeIsRejectedNamingPriority() {
        createQueue(QUEUE);
        for (int priority : new int[] {-1, 10}) {
            assertThatThrownBy(() -> send(QUEUE, "x", SendOptions.builder().priority(priority).build()))
                    .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("priority"));
        }
        assertQueueHoldsNothing(QUEUE);
    }

    @Test
    void priorityAtTheEdgesIsAccepted() {
        createQueue(QUEUE);
        assertThat(message(send(QUEUE, "low", SendOptions.builder().priority(0).build()).id()).priority()).isZero();
        assertThat(message(send(QUEUE, "high", SendOptions.builder().priority(9).build()).id()).priority()).isEqualTo(9);
    }

    @Test
    void negativeDelayIsRejectedNamingDelay() {
        createQueue(QUEUE);
        assertThatThrownBy(() -> send(QUEUE, "x", SendOptions.builder().delay(Duration.ofSeconds(-1)).build()))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("delay"));
        assertQueueHoldsNothing(QUEUE);
    }

    @Test
    void nonPositiveTtlIsRejectedNamingTtl() {
        createQueue(QUEUE);
        assertThatThrownBy(() -> send(QUEUE, "x", SendOptions.builder().ttl(Duration.ZERO).build()))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("ttl"));
        assertQueueHoldsNothing(QUEUE);
    }

    @Test
    void invalidQueueNameIsRejectedNamingQueue() {
        for (String name : new String[] {"bad name", "", "slash/queue", "x".repeat(129)}) {
            assertThatThrownBy(() -> send(name, "x"))
                    .as("queue name \"%s\"", name)
                    .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("queue"));
        }
        assertThat(store.counts()).isEmpty();
    }

    @Test
    void tooManyHeadersAreRejectedNamingHeaders() {
        createQueue(QUEUE);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i <= Limits.DEFAULT.maxHeaders(); i++) {
            headers.put("h" + i, "v");
        }
        assertThatThrownBy(() -> send(QUEUE, "x", SendOptions.builder().headers(headers).build()))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("headers"));
        assertQueueHoldsNothing(QUEUE);

        headers.remove("h0");
        assertThat(message(send(QUEUE, "x", SendOptions.builder().headers(headers).build()).id()).headers())
                .hasSize(Limits.DEFAULT.maxHeaders());
    }

    @Test
    void payloadExactlyAtTheLimitIsAccepted() {
        useSmallLimits();
        createQueue(QUEUE);
        String text = "x".repeat(SMALL.maxPayloadBytes() - 2); // a JSON string adds two quotes
        SendResult result = send(QUEUE, text);
        assertSameJson(message(result.id()).payloadJson(), text);
    }

    @Test
    void payloadOneByteOverTheLimitIsRejectedNamingTheLimit() {
        useSmallLimits();
        createQueue(QUEUE);
        String text = "x".repeat(SMALL.maxPayloadBytes() - 1);
        assertThatThrownBy(() -> send(QUEUE, text))
                .isInstanceOfSatisfying(MessageTooLargeException.class, e -> {
                    assertThat(e.field()).isEqualTo("payload");
                    assertThat(e.size()).isEqualTo(SMALL.maxPayloadBytes() + 1);
                    assertThat(e.limit()).isEqualTo(SMALL.maxPayloadBytes());
                    assertThat(e.getMessage()).contains(Integer.toString(SMALL.maxPayloadBytes()));
                });
        assertQueueHoldsNothing(QUEUE);
    }

    @Test
    void payloadSizeIsCountedInUtf8BytesAndRoundTripsExactly() {
        useSmallLimits();
        createQueue(QUEUE);
        String twoByteChars = "é".repeat((SMALL.maxPayloadBytes() - 2) / 2); // exactly at the limit in UTF-8
        assertSameJson(message(sendId(QUEUE, twoByteChars)).payloadJson(), twoByteChars);

        assertThatThrownBy(() -> send(QUEUE, twoByteChars + "a"))
                .isInstanceOf(MessageTooLargeException.class);
        assertThat(counts(QUEUE).ready()).isEqualTo(1);
    }

    @Test
    void batchOverTheBatchLimitIsRejected() {
        useSmallLimits();
        createQueue(QUEUE);
        List<OutgoingMessage> batch = new ArrayList<>();
        for (int i = 0; i <= SMALL.maxBatchSize(); i++) {
            batch.add(OutgoingMessage.of(i));
        }
        assertThatThrownBy(() -> sendBatch(QUEUE, batch))
                .isInstanceOfSatisfying(MessageTooLargeException.class, e -> assertThat(e.field()).isEqualTo("messages"));
        assertQueueHoldsNothing(QUEUE);
    }

    @Test
    void nonSerialisablePayloadIsRejectedNamingPayload() {
        createQueue(QUEUE);
        assertThatThrownBy(() -> send(QUEUE, new Object()))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("payload"));
        assertQueueHoldsNothing(QUEUE);
    }

    @Test
    void nonSerialisablePayloadInABatchNamesItsIndexAndWritesNothing() {
        createQueue(QUEUE);
        assertThatThrownBy(() -> sendBatch(QUEUE, List.of(OutgoingMessage.of("ok"), OutgoingMessage.of(new Object()))))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("messages[1].payload"));
        assertQueueHoldsNothing(QUEUE);
    }

    @Test
    void getFindsNothingForAnUnknownId() {
        createQueue(QUEUE);
        String id = sendId(QUEUE, "known");
        assertThat(postroom.get(unknownId())).isEmpty();
        assertThat(postroom.get("not-an-id")).isEmpty();
        // Same time and counter, other random bits: a different UUID, so a different (missing) message.
        UUID uuid = UUID.fromString(id);
        String sibling = new UUID(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits() ^ 1L).toString();
        assertThat(store.get(sibling)).isEmpty();
        assertThat(store.get(id)).isPresent();
    }

    @Test
    void largeBatchIsStoredWhole() {
        createQueue(QUEUE);
        List<OutgoingMessage> batch = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            batch.add(OutgoingMessage.of(Map.of("n", i)));
        }
        List<SendResult> results = sendBatch(QUEUE, batch);
        assertThat(results).hasSize(500);
        assertThat(sentIds(results)).doesNotHaveDuplicates().isSorted();
        assertThat(counts(QUEUE).ready()).isEqualTo(500);
        assertSameJson(message(results.get(499).id()).payloadJson(), Map.of("n", 499));
    }

    private static final Limits SMALL = new Limits(1024, 10, 8, 64, 32);

    private void useSmallLimits() {
        rebuild(builder -> builder.limits(SMALL));
    }
}
