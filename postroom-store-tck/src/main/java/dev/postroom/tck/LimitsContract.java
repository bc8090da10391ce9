package dev.postroom.tck;

import dev.postroom.KeyLimit;
import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.OutgoingMessage;
import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import dev.postroom.RateLimit;
import dev.postroom.ReceiveOptions;
import dev.postroom.ReceivedMessage;
import dev.postroom.SendOptions;
import dev.postroom.store.MessageStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Queue and per-key limits ({@link QueuePolicy#concurrency}, {@link QueuePolicy#rateLimit},
 * {@link QueuePolicy#perKey}): what the store hands out never exceeds them, across every consumer of
 * the store; a message held back stays READY with no attempt counted; with per-key limits, claims
 * go round-robin across keys, so a flood on one key does not hold back another; and no limit loses
 * or repeats a message. Time is the suite's fake clock: rate windows move only when a test moves it.
 */
public abstract class LimitsContract extends ContractSupport {
    private static final String QUEUE = "limited";
    private static final Duration TEN_SECONDS = Duration.ofSeconds(10);

    private static SendOptions tenant(String tenant) {
        return SendOptions.builder().header("tenant", tenant).build();
    }

    private List<String> sendTenant(String tenant, int count) {
        List<OutgoingMessage> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batch.add(new OutgoingMessage(Map.of("tenant", tenant, "n", i), tenant(tenant)));
        }
        return sentIds(sendBatch(QUEUE, batch));
    }

    private static List<String> tenants(List<ReceivedMessage> received) {
        return received.stream().map(m -> m.headers().getOrDefault("tenant", "")).toList();
    }

    private void ackAll(List<ReceivedMessage> received) {
        received.forEach(m -> postroom.ack(m.id(), m.leaseId(), null));
    }

    // ---------------------------------------------------------------- queue concurrency

    /**
     * Two engines claim from one queue: on a store nodes share, as two nodes with stores of their
     * own on one database; otherwise as two engines on the one store. Either way the queue's
     * concurrency caps what both hold together.
     */
    @Test
    void queueConcurrencyHoldsAcrossEveryConsumer() throws InterruptedException {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withConcurrency(3));
        for (int i = 0; i < 8; i++) {
            sendId(QUEUE, i);
        }
        MessageStore otherStore = fixture.sharedByNodes() ? fixture.open() : store;
        try (Postroom other = Postroom.builder().store(otherStore).closeStore(false).clock(clock)
                .maintenanceInterval(null).node(NODE + "-2").build()) {
            List<ReceivedMessage> here = receive(QUEUE, 2);
            List<ReceivedMessage> there = other.receive(QUEUE, new ReceiveOptions(10, Duration.ZERO, null));

            assertThat(here).hasSize(2);
            assertThat(there).as("what the second consumer may take beside the first's two").hasSize(1);
            assertThat(receive(QUEUE, 10)).isEmpty();
            assertThat(counts(QUEUE).inFlight()).isEqualTo(3);

            other.ack(there.getFirst().id(), there.getFirst().leaseId(), null);
            assertThat(receive(QUEUE, 10)).as("after the second consumer finished one").hasSize(1);
            assertThat(other.receive(QUEUE, new ReceiveOptions(10, Duration.ZERO, null))).isEmpty();
        } finally {
            if (otherStore != store) {
                otherStore.close();
            }
        }
    }

    // ---------------------------------------------------------------- queue rate

    @Test
    void rateLimitHoldsOverTenSimulatedSeconds() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withRateLimit(RateLimit.perSecond(10)));
        List<OutgoingMessage> batch = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            batch.add(OutgoingMessage.of(i));
        }
        sendBatch(QUEUE, batch);
        int[] perSecond = new int[10];
        // A consumer that asks every 50 ms for as much as it can get, for ten seconds.
        for (int tick = 0; tick < 200; tick++) {
            List<ReceivedMessage> received = receive(QUEUE, 100);
            perSecond[tick / 20] += received.size();
            ackAll(received);
            clock.advance(Duration.ofMillis(50));
        }
        int total = java.util.Arrays.stream(perSecond).sum();
        assertThat(total).as("claims in ten seconds at 10 per second").isBetween(90, 110);
        assertThat(java.util.Arrays.stream(perSecond).max().orElseThrow()).as("most claims in one second of %s",
                java.util.Arrays.toString(perSecond)).isLessThanOrEqualTo(10);
    }

    @Test
    void rateLimitedMessagesStayReadyWithNoAttemptCounted() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withRateLimit(new RateLimit(2, TEN_SECONDS)));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(sendId(QUEUE, i));
        }

        List<ReceivedMessage> received = receive(QUEUE, 10);

        assertThat(ids(received)).containsExactlyElementsOf(ids.subList(0, 2));
        assertNothingToReceive(QUEUE);
        for (String id : ids.subList(2, 5)) {
            Message waiting = message(id);
            assertThat(waiting.state()).isEqualTo(MessageState.READY);
            assertThat(waiting.attempt()).isZero();
        }
        assertThat(counts(QUEUE).ready()).isEqualTo(3);
    }

    @Test
    void storeTellsWhenTheRateLimitLetsTheNextMessageOut() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withRateLimit(new RateLimit(2, TEN_SECONDS)));
        for (int i = 0; i < 3; i++) {
            sendId(QUEUE, i);
        }
        assertThat(receive(QUEUE, 10)).hasSize(2);
        assertNothingToReceive(QUEUE);

        Instant until = store.rateLimitedUntil(QUEUE).orElseThrow(() -> new AssertionError("no rate-limit deadline"));

        assertThat(until).isAfter(clock.instant()).isBeforeOrEqualTo(START.plus(TEN_SECONDS.multipliedBy(2)));
        clock.set(until.minusMillis(1));
        assertNothingToReceive(QUEUE);
        clock.set(until);
        assertThat(receive(QUEUE, 10)).hasSize(1);
        assertNothingToReceive(QUEUE);
        assertThat(store.rateLimitedUntil(QUEUE)).as("nothing left waiting for the limit").isEmpty();
    }

    // ---------------------------------------------------------------- per key

    @Test
    void perKeyInFlightCapHoldsForEveryKey() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withPerKey(KeyLimit.byHeader("tenant").withMaxInFlight(2)));
        sendTenant("acme", 5);
        sendTenant("globex", 5);
        sendId(QUEUE, "no tenant 1");
        sendId(QUEUE, "no tenant 2");
        sendId(QUEUE, "no tenant 3");

        List<ReceivedMessage> received = receive(QUEUE, 20);

        assertThat(tenants(received)).containsExactlyInAnyOrder("", "", "acme", "acme", "globex", "globex");
        assertNothingToReceive(QUEUE);
        ReceivedMessage acme = received.stream().filter(m -> "acme".equals(m.headers().get("tenant"))).findFirst().orElseThrow();
        postroom.ack(acme.id(), acme.leaseId(), null);
        assertThat(tenants(receive(QUEUE, 20))).containsExactly("acme");
    }

    @Test
    void floodOnOneKeyDoesNotDelayAnotherBeyondOneSlot() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withPerKey(KeyLimit.byHeader("tenant").withMaxInFlight(1000)));
        sendTenant("flood", 1000);
        String first = sendTenant("quiet", 1).getFirst();

        List<String> order = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ReceivedMessage next = receiveOne(QUEUE);
            order.add(next.id());
            postroom.ack(next.id(), next.leaseId(), null);
        }
        assertThat(order).as("the first two claims after a flood of 1,000").contains(first);

        // The flood goes on being handed out; a new message of another key is next in line.
        for (int i = 0; i < 3; i++) {
            ackAll(receive(QUEUE, 1));
        }
        String second = sendTenant("quiet", 1).getFirst();
        assertThat(ids(receive(QUEUE, 1))).as("the claim after the quiet key sent again").containsExactly(second);
    }

    @Test
    void claimsTakeOneMessageOfEachKeyPerRound() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withPerKey(KeyLimit.byHeader("tenant").withMaxInFlight(100)));
        sendTenant("a", 6);
        sendTenant("b", 3);
        sendTenant("c", 3);

        List<ReceivedMessage> received = receive(QUEUE, 6);

        assertThat(tenants(received)).containsExactlyInAnyOrder("a", "a", "b", "b", "c", "c");
    }

    @Test
    void perKeyRateLimitHoldsEachKeyApart() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withPerKey(KeyLimit.byHeader("tenant").withRateLimit(new RateLimit(2, TEN_SECONDS))));
        sendTenant("acme", 5);
        sendTenant("globex", 5);

        List<ReceivedMessage> received = receive(QUEUE, 20);
        assertThat(tenants(received)).containsExactlyInAnyOrder("acme", "acme", "globex", "globex");
        ackAll(received);
        assertNothingToReceive(QUEUE);
        assertThat(store.rateLimitedUntil(QUEUE)).isPresent();

        clock.advance(TEN_SECONDS.multipliedBy(2));
        assertThat(tenants(receive(QUEUE, 20))).containsExactlyInAnyOrder("acme", "acme", "globex", "globex");
    }

    @Test
    void orderingKeyCanBeTheLimitKey() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withPerKey(KeyLimit.byOrderingKey().withRateLimit(new RateLimit(1, TEN_SECONDS))));
        Map<String, List<String>> sent = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            for (String key : List.of("k1", "k2")) {
                sent.computeIfAbsent(key, k -> new ArrayList<>())
                        .add(send(QUEUE, i, SendOptions.builder().orderingKey(key).build()).id());
            }
        }

        List<ReceivedMessage> first = receive(QUEUE, 10);
        assertThat(ids(first)).containsExactlyInAnyOrder(sent.get("k1").get(0), sent.get("k2").get(0));
        ackAll(first);
        assertNothingToReceive(QUEUE);

        clock.advance(TEN_SECONDS.multipliedBy(2));
        assertThat(ids(receive(QUEUE, 10))).containsExactlyInAnyOrder(sent.get("k1").get(1), sent.get("k2").get(1));
    }

    @Test
    void changingWhereKeysComeFromReKeysWaitingMessages() {
        createQueue(QUEUE);
        sendTenant("acme", 3);
        sendTenant("globex", 3);

        createQueue(QUEUE, QueuePolicy.DEFAULT.withPerKey(KeyLimit.byHeader("tenant").withMaxInFlight(1)));

        assertThat(tenants(receive(QUEUE, 10))).containsExactlyInAnyOrder("acme", "globex");
        assertNothingToReceive(QUEUE);
    }

    @Test
    void removingTheLimitsHandsOutInQueueOrderAgain() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withPerKey(KeyLimit.byHeader("tenant").withMaxInFlight(1)));
        List<String> acme = sendTenant("acme", 3);
        sendTenant("globex", 1);
        assertThat(tenants(receive(QUEUE, 10))).containsExactlyInAnyOrder("acme", "globex");

        createQueue(QUEUE, QueuePolicy.DEFAULT);

        assertThat(ids(receive(QUEUE, 10))).containsExactlyElementsOf(acme.subList(1, 3));
    }

    @Test
    void limitsAndKeysSurviveARestart() {
        QueuePolicy limited = QueuePolicy.DEFAULT.withRateLimit(new RateLimit(100, Duration.ofMillis(1500)))
                .withPerKey(KeyLimit.byHeader("tenant").withMaxInFlight(1).withRateLimit(RateLimit.perSecond(7)));
        createQueue(QUEUE, limited);
        sendTenant("acme", 2);
        sendTenant("globex", 2);

        restart();

        assertThat(postroom.queue(QUEUE).policy()).isEqualTo(limited);
        assertThat(tenants(receive(QUEUE, 10))).containsExactlyInAnyOrder("acme", "globex");
        assertNothingToReceive(QUEUE);
    }

    // ---------------------------------------------------------------- no loss, no repeats

    /**
     * Random sends (tenants, priorities, ordering keys), receives, acks and nacks under every limit at
     * once, with the clock moving: at no point does the store exceed a limit or lease a message that
     * is already leased, and in the end every message succeeded exactly once.
     */
    @Test
    void limitsNeitherLoseNorRepeatMessages() {
        Random random = new Random(seed);
        int concurrency = 8;
        int perTenant = 3;
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(1000).withConcurrency(concurrency).withLease(Duration.ofHours(12))
                .withRateLimit(RateLimit.perSecond(40))
                .withPerKey(KeyLimit.byHeader("tenant").withMaxInFlight(perTenant).withRateLimit(RateLimit.perSecond(15))));
        List<String> tenants = List.of("t0", "t1", "t2", "t3", "t4");
        Set<String> sent = new HashSet<>();
        for (int i = 0; i < 150; i++) {
            SendOptions.Builder options = SendOptions.builder().priority(random.nextInt(3));
            if (random.nextInt(6) > 0) {
                options.header("tenant", tenants.get(random.nextInt(tenants.size())));
            }
            if (random.nextInt(4) == 0) {
                options.orderingKey("order-" + random.nextInt(5));
            }
            sent.add(send(QUEUE, i, options.build()).id());
        }
        Map<String, ReceivedMessage> leased = new HashMap<>();
        Set<String> succeeded = new HashSet<>();
        for (int step = 0; step < 20_000 && succeeded.size() < sent.size(); step++) {
            clock.advance(Duration.ofMillis(random.nextInt(40)));
            if (random.nextBoolean() || leased.isEmpty()) {
                for (ReceivedMessage m : receive(QUEUE, 1 + random.nextInt(6))) {
                    assertThat(leased).as("a message leased twice at once").doesNotContainKey(m.id());
                    assertThat(succeeded).as("a message handed out after it succeeded").doesNotContain(m.id());
                    leased.put(m.id(), m);
                }
                assertThat(leased).as("in flight at once").hasSizeLessThanOrEqualTo(concurrency);
                Map<String, Integer> perKey = new HashMap<>();
                leased.values().forEach(m -> perKey.merge(m.headers().getOrDefault("tenant", ""), 1, Integer::sum));
                assertThat(perKey.values()).as("in flight per tenant").allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(perTenant));
            } else {
                List<ReceivedMessage> held = new ArrayList<>(leased.values());
                ReceivedMessage m = held.get(random.nextInt(held.size()));
                leased.remove(m.id());
                if (random.nextInt(5) == 0) {
                    postroom.nack(m.id(), m.leaseId(), "failed on purpose", null, Duration.ZERO);
                } else {
                    postroom.ack(m.id(), m.leaseId(), null);
                    succeeded.add(m.id());
                }
            }
            if (step % 50 == 0) {
                postroom.runMaintenance();
            }
        }
        assertThat(succeeded).as("every message handled").isEqualTo(sent);
        assertThat(counts(QUEUE).succeeded()).isEqualTo(sent.size());
    }
}
