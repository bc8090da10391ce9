package dev.postroom.store.postgres;

import dev.postroom.MessageState;
import dev.postroom.QueuePolicy;
import dev.postroom.store.MessageIds;
import dev.postroom.store.ClaimRequest;
import dev.postroom.store.ClaimedMessage;
import dev.postroom.store.Completion;
import dev.postroom.store.NewMessage;
import dev.postroom.store.QueueWatch;
import dev.postroom.store.SendBatch;
import dev.postroom.store.SendOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What only the shared store promises: two stores on one schema behave as two nodes of a cluster
 * (they share nothing but the database). Message semantics are in the TCK.
 */
class PostgresMessageStoreTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final String QUEUE = "refunds";

    private final MessageIds ids = new MessageIds(InstantSource.fixed(NOW));
    private TestDatabase.Schema schema;
    private PostgresMessageStore nodeA;
    private PostgresMessageStore nodeB;

    @BeforeEach
    void openTwoNodes() {
        schema = TestDatabase.newSchema();
        nodeA = PostgresMessageStore.open(schema.options());
        nodeB = PostgresMessageStore.open(schema.options());
        nodeA.upsertQueue(QUEUE, QueuePolicy.DEFAULT.withLease(LEASE), NOW).join();
    }

    @AfterEach
    void closeAndDrop() {
        if (nodeA != null) {
            nodeA.close();
        }
        if (nodeB != null) {
            nodeB.close();
        }
        if (schema != null) {
            schema.drop();
        }
    }

    private List<String> send(PostgresMessageStore node, int count, String orderingKey) {
        List<NewMessage> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batch.add(new NewMessage(ids.next(), QUEUE, "{\"n\":" + i + "}", Map.of(), 0, NOW, null, orderingKey, null, 5));
        }
        node.send(new SendBatch(batch, NOW, "node")).join();
        return batch.stream().map(NewMessage::id).toList();
    }

    private static List<ClaimedMessage> claim(PostgresMessageStore node, int max, String name) {
        return node.claim(new ClaimRequest(QUEUE, max, LEASE, NOW, name)).join();
    }

    /** Two nodes minting ids in one millisecond can give two messages one sequence: paging must not skip either. */
    @Test
    void pagesDoNotSkipAMessageSharingItsSequenceWithThePageBoundary() {
        String lower = MessageIds.lowestIdOf(MessageIds.firstSequenceAt(NOW) + 7);
        String higher = lower.substring(0, 24) + "123456789abc"; // the same sequence, other random bits
        for (String id : List.of(lower, higher)) {
            NewMessage message = new NewMessage(id, QUEUE, "{}", Map.of(), 0, NOW, null, null, null, 5);
            (id.equals(lower) ? nodeA : nodeB).send(new SendBatch(List.of(message), NOW, "node")).join();
        }

        dev.postroom.MessagePage first = nodeA.browse(dev.postroom.MessageQuery.builder().queue(QUEUE).limit(1).build());
        dev.postroom.MessagePage second = nodeA.browse(dev.postroom.MessageQuery.builder().queue(QUEUE).limit(1).after(first.next()).build());

        assertThat(first.messages()).extracting(m -> m.id()).containsExactly(higher);
        assertThat(second.messages()).extracting(m -> m.id()).containsExactly(lower);
    }

    @Test
    void aSendOnOneNodeWakesTheWatchersOfAnother() {
        ConcurrentLinkedQueue<String> heard = new ConcurrentLinkedQueue<>();
        QueueWatch watch = nodeA.watchQueues(heard::add);
        try {
            // The listener starts with the first watcher; a send before its LISTEN would not be heard.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                send(nodeB, 1, null);
                assertThat(heard).contains(QUEUE);
            });
        } finally {
            watch.close();
        }
    }

    @Test
    void watchersHearSendsAgainAfterTheListenerConnectionDrops() throws Exception {
        ConcurrentLinkedQueue<String> heard = new ConcurrentLinkedQueue<>();
        QueueWatch watch = nodeA.watchQueues(heard::add);
        try {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                send(nodeB, 1, null);
                assertThat(heard).contains(QUEUE);
            });

            nodeA.dropListenerConnectionForTesting();
            heard.clear();
            // Back on line, it reports every queue once, since sends made while it was away were not heard.
            await().atMost(Duration.ofSeconds(15)).until(() -> heard.contains(QUEUE));
            heard.clear();
            send(nodeB, 1, null);
            await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains(QUEUE));
        } finally {
            watch.close();
        }
    }

    @Test
    void twoNodesClaimingAtOnceNeverLeaseTheSameMessage() throws Exception {
        nodeA.upsertQueue(QUEUE, QueuePolicy.DEFAULT.withLease(LEASE).withConcurrency(10_000), NOW).join();
        Set<String> sent = new HashSet<>(send(nodeA, 300, null));
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<String>>> claimers = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(6)) {
            for (int t = 0; t < 6; t++) {
                PostgresMessageStore node = t % 2 == 0 ? nodeA : nodeB;
                claimers.add(threads.submit(() -> {
                    start.await();
                    List<String> mine = new ArrayList<>();
                    List<ClaimedMessage> got;
                    while (!(got = claim(node, 7, "node")).isEmpty()) {
                        got.forEach(m -> mine.add(m.id()));
                    }
                    return mine;
                }));
            }
            start.countDown();
            List<String> all = new ArrayList<>();
            for (Future<List<String>> claimer : claimers) {
                all.addAll(claimer.get());
            }
            assertThat(all).doesNotHaveDuplicates();
            assertThat(new HashSet<>(all)).isEqualTo(sent);
        }
    }

    @Test
    void nodesSendingOneIdempotencyKeyAtOnceStoreOneMessage() throws Exception {
        for (int round = 0; round < 20; round++) {
            String key = "refund-" + round;
            CountDownLatch start = new CountDownLatch(1);
            try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
                List<Future<SendOutcome>> senders = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    PostgresMessageStore node = t % 2 == 0 ? nodeA : nodeB;
                    senders.add(threads.submit(() -> {
                        NewMessage message = new NewMessage(ids.next(), QUEUE, "{}", Map.of(), 0, NOW, null, null, key, 5);
                        start.await();
                        return node.send(new SendBatch(List.of(message), NOW, "node")).join().getFirst();
                    }));
                }
                start.countDown();
                List<SendOutcome> outcomes = new ArrayList<>();
                for (Future<SendOutcome> sender : senders) {
                    outcomes.add(sender.get());
                }
                assertThat(outcomes).extracting(SendOutcome::id).containsOnly(outcomes.getFirst().id());
                assertThat(outcomes).filteredOn(o -> !o.duplicate()).hasSize(1);
            }
        }
        assertThat(nodeB.counts().get(QUEUE).ready()).isEqualTo(20);
    }

    @Test
    void anOrderingKeyHasOneMessageInFlightAcrossNodes() {
        List<String> keyed = send(nodeA, 2, "customer-7");

        List<ClaimedMessage> onA = claim(nodeA, 10, "a");
        assertThat(onA).extracting(ClaimedMessage::id).containsExactly(keyed.getFirst());
        assertThat(claim(nodeB, 10, "b")).isEmpty();

        nodeA.ack(new Completion(onA.getFirst().id(), onA.getFirst().leaseId(), null, NOW, "a")).join();
        assertThat(claim(nodeB, 10, "b")).extracting(ClaimedMessage::id).containsExactly(keyed.get(1));
    }

    @Test
    void theConcurrencyLimitHoldsAcrossNodes() throws Exception {
        nodeA.upsertQueue(QUEUE, QueuePolicy.DEFAULT.withLease(LEASE).withConcurrency(3), NOW).join();
        send(nodeA, 20, null);
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
            List<Future<Integer>> claimers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                PostgresMessageStore node = t % 2 == 0 ? nodeA : nodeB;
                claimers.add(threads.submit(() -> {
                    start.await();
                    return claim(node, 10, "node").size();
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> claimer : claimers) {
                total += claimer.get();
            }
            assertThat(total).isEqualTo(3);
        }
        assertThat(nodeB.counts().get(QUEUE).inFlight()).isEqualTo(3);
    }

    @Test
    void leasesOfANodeThatDiedAreReclaimedByAnother() {
        List<String> sent = send(nodeA, 3, null);
        assertThat(claim(nodeA, 3, "a")).hasSize(3);
        nodeA.crashForTesting();
        nodeA = null;

        // Still leased: the rows say so, whichever node reads them.
        assertThat(nodeB.get(sent.getFirst()).orElseThrow().state()).isEqualTo(MessageState.IN_FLIGHT);
        assertThat(nodeB.expireLeases(NOW.plus(LEASE).minusMillis(1), (q, attempt) -> Duration.ZERO, "b").join()).isZero();

        assertThat(nodeB.expireLeases(NOW.plus(LEASE).plusMillis(1), (q, attempt) -> Duration.ZERO, "b").join()).isEqualTo(3);
        assertThat(sent).allSatisfy(id -> {
            var message = nodeB.get(id).orElseThrow();
            assertThat(message.state()).isEqualTo(MessageState.READY);
            assertThat(message.errors()).singleElement().satisfies(e -> assertThat(e.message()).isEqualTo("lease expired"));
            assertThat(message.timeline().getLast().node()).isEqualTo("b");
        });
        assertThat(nodeB.claim(new ClaimRequest(QUEUE, 10, LEASE, NOW.plus(LEASE).plusSeconds(1), "b")).join())
                .extracting(ClaimedMessage::attempt).containsOnly(2);
    }
}
