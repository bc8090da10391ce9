package dev.postroom.tck;

import dev.postroom.Backoff;
import dev.postroom.IllegalTransitionException;
import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.OutgoingMessage;
import dev.postroom.QueuePolicy;
import dev.postroom.ReceivedMessage;
import dev.postroom.SendOptions;
import dev.postroom.SendResult;
import dev.postroom.StaleLeaseException;
import dev.postroom.StateCounts;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Many virtual threads on one store at once. Randomized and seeded: the seed comes from
 * {@code -Dpostroom.seed=...} or is drawn at random, and every failure message carries it. A seed
 * fixes each thread's choices, not the interleaving, so a replay is likely but not certain to fail
 * the same way.
 *
 * <p>The fake clock never passes a lease (leases are an hour; the clock moves by at most a few
 * minutes), so a stale lease is never legitimate here: any StaleLeaseException is a failure.
 */
public abstract class ConcurrencyContract extends ContractSupport {
    private static final String QUEUE = "busy";
    private static final int THREADS = 8;
    private static final int OPERATIONS_PER_THREAD = 300;
    private static final int CONCURRENCY_LIMIT = 12;
    private static final int MAX_ATTEMPTS = 3;
    private static final Duration LEASE = Duration.ofHours(1);
    private static final List<String> KEYS = List.of("k0", "k1", "k2", "k3", "k4");
    private static final long PATIENCE_SECONDS = 120;

    /** Runs {@code task(i)} on {@code count} virtual threads released together; rethrows the first failure. */
    private void runTogether(int count, Worker task) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(threads.submit((Callable<Void>) () -> {
                    start.await();
                    task.run(index);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                try {
                    future.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw new AssertionError("a worker failed (seed " + seed + "): " + e.getCause(), e.getCause());
                }
            }
        }
    }

    @FunctionalInterface
    private interface Worker {
        void run(int index) throws Exception;
    }

    /**
     * Random sends (with priorities and ordering keys), receives, acks, nacks, extends and clock
     * ticks from eight threads. Throughout: no message is held under two live leases, no ordering
     * key has two messages in flight, the concurrency limit holds, and no settle of a live lease is
     * refused. After draining: every message sent is SUCCEEDED or DEAD, none lost, none extra.
     */
    @Test
    void randomOperationsNeverDoubleLeaseNorLoseAMessage() throws Exception {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(MAX_ATTEMPTS).withConcurrency(CONCURRENCY_LIMIT)
                .withLease(LEASE).withBackoff(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2.0)));
        Set<String> sent = ConcurrentHashMap.newKeySet();
        Set<String> acked = ConcurrentHashMap.newKeySet();
        ConcurrentHashMap<String, String> liveLeases = new ConcurrentHashMap<>(); // id -> lease
        ConcurrentHashMap<String, String> busyKeys = new ConcurrentHashMap<>();   // ordering key -> id
        // Counted up after a claim returns and down before an ack or nack is issued, so it never
        // exceeds what the store holds in flight: above the limit means the store was above it.
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger sendCounter = new AtomicInteger();

        runTogether(THREADS, index -> {
            Random random = new Random(seed + index);
            List<ReceivedMessage> held = new ArrayList<>();
            for (int op = 0; op < OPERATIONS_PER_THREAD; op++) {
                int dice = random.nextInt(100);
                if (dice < 35) {
                    int size = 1 + random.nextInt(4);
                    List<OutgoingMessage> batch = new ArrayList<>();
                    for (int i = 0; i < size; i++) {
                        String key = random.nextInt(3) == 0 ? KEYS.get(random.nextInt(KEYS.size())) : null;
                        batch.add(new OutgoingMessage(new Payload(index, sendCounter.incrementAndGet()),
                                SendOptions.builder().priority(random.nextInt(10)).orderingKey(key).build()));
                    }
                    List<SendResult> results = size == 1
                            ? List.of(send(QUEUE, batch.getFirst().payload(), batch.getFirst().options()))
                            : sendBatch(QUEUE, batch);
                    results.forEach(r -> assertThat(sent.add(r.id())).as("id %s returned twice (seed %d)", r.id(), seed).isTrue());
                } else if (dice < 65) {
                    for (ReceivedMessage m : receive(QUEUE, 1 + random.nextInt(5), LEASE)) {
                        String other = liveLeases.putIfAbsent(m.id(), m.leaseId());
                        if (other != null) {
                            fail("message %s held under two live leases %s and %s (seed %d)", m.id(), other, m.leaseId(), seed);
                        }
                        if (m.orderingKey() != null) {
                            String busy = busyKeys.putIfAbsent(m.orderingKey(), m.id());
                            if (busy != null) {
                                fail("ordering key %s has %s and %s in flight (seed %d)", m.orderingKey(), busy, m.id(), seed);
                            }
                        }
                        int now = inFlight.incrementAndGet();
                        if (now > CONCURRENCY_LIMIT) {
                            fail("%d in flight, over the limit of %d (seed %d)", now, CONCURRENCY_LIMIT, seed);
                        }
                        held.add(m);
                    }
                } else if (dice < 85 && !held.isEmpty()) {
                    ReceivedMessage m = held.remove(random.nextInt(held.size()));
                    release(m, liveLeases, busyKeys, inFlight);
                    postroom.ack(m.id(), m.leaseId(), null);
                    acked.add(m.id());
                } else if (dice < 95 && !held.isEmpty()) {
                    ReceivedMessage m = held.remove(random.nextInt(held.size()));
                    release(m, liveLeases, busyKeys, inFlight);
                    Duration retryAfter = random.nextBoolean() ? Duration.ZERO : null;
                    MessageState state = postroom.nack(m.id(), m.leaseId(), "random failure", null, retryAfter);
                    if (m.attempt() >= MAX_ATTEMPTS) {
                        assertThat(state).as("state after nack of the last attempt of %s (seed %d)", m.id(), seed).isEqualTo(MessageState.DEAD);
                    } else {
                        assertThat(state).as("state after nack of attempt %d of %s (seed %d)", m.attempt(), m.id(), seed)
                                .isIn(MessageState.READY, MessageState.SCHEDULED);
                    }
                } else if (dice < 97 && !held.isEmpty()) {
                    ReceivedMessage m = held.get(random.nextInt(held.size()));
                    postroom.extend(m.id(), m.leaseId(), LEASE);
                } else {
                    clock.advance(Duration.ofMillis(random.nextInt(500)));
                    postroom.runMaintenance();
                }
            }
            for (ReceivedMessage m : held) {
                release(m, liveLeases, busyKeys, inFlight);
                postroom.ack(m.id(), m.leaseId(), null);
                acked.add(m.id());
            }
        });

        assertThat(liveLeases).as("leases left after every worker settled (seed %d)", seed).isEmpty();
        drain();

        StateCounts counts = counts(QUEUE);
        assertThat(counts.scheduled() + counts.ready() + counts.inFlight()).as("unfinished after draining (seed %d)", seed).isZero();
        assertThat(counts.succeeded() + counts.dead()).as("finished messages versus %d sent (seed %d)", sent.size(), seed).isEqualTo(sent.size());
        for (String id : sent) {
            Message message = postroom.get(id).orElseThrow(() -> new AssertionError("lost message " + id + " (seed " + seed + ")"));
            assertThat(message.state()).as("state of %s (seed %d)", id, seed).isIn(MessageState.SUCCEEDED, MessageState.DEAD);
            if (acked.contains(id)) {
                assertThat(message.state()).as("acked message %s (seed %d)", id, seed).isEqualTo(MessageState.SUCCEEDED);
            }
            if (message.state() == MessageState.DEAD) {
                assertThat(message.errors()).as("errors of dead %s (seed %d)", id, seed).hasSize(MAX_ATTEMPTS);
            }
        }
    }

    private static void release(ReceivedMessage m, ConcurrentHashMap<String, String> liveLeases,
                                ConcurrentHashMap<String, String> busyKeys, AtomicInteger inFlight) {
        liveLeases.remove(m.id(), m.leaseId());
        if (m.orderingKey() != null) {
            busyKeys.remove(m.orderingKey(), m.id());
        }
        inFlight.decrementAndGet();
    }

    /** Acks everything left, moving the clock past every backoff, until nothing is unfinished. */
    private void drain() {
        for (int round = 0; ; round++) {
            StateCounts counts = counts(QUEUE);
            if (counts.scheduled() + counts.ready() + counts.inFlight() == 0) {
                return;
            }
            assertThat(round).as("rounds to drain, %s left (seed %d)", counts, seed).isLessThan(10_000);
            clock.advance(Duration.ofSeconds(2));
            postroom.runMaintenance();
            for (ReceivedMessage m : receive(QUEUE, 100, LEASE)) {
                postroom.ack(m.id(), m.leaseId(), null);
            }
        }
    }

    /** The payload of the randomized test: who sent it, and a number unique in the run. */
    public record Payload(int thread, int n) {
    }

    @Test
    void concurrentReceiversNeverShareAMessage() throws Exception {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withConcurrency(10_000));
        List<String> sent = new ArrayList<>();
        for (int b = 0; b < 10; b++) {
            List<OutgoingMessage> batch = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                batch.add(OutgoingMessage.of(b * 100 + i));
            }
            sent.addAll(sentIds(sendBatch(QUEUE, batch)));
        }
        Queue<String> received = new ConcurrentLinkedQueue<>();

        runTogether(THREADS, index -> {
            Random random = new Random(seed + index);
            List<ReceivedMessage> batch;
            while (!(batch = receive(QUEUE, 1 + random.nextInt(10))).isEmpty()) {
                for (ReceivedMessage m : batch) {
                    received.add(m.id());
                    postroom.ack(m.id(), m.leaseId(), null);
                }
            }
        });

        assertThat(received).as("received ids (seed %d)", seed).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(sent);
        assertThat(counts(QUEUE).succeeded()).isEqualTo(sent.size());
    }

    @Test
    void concurrentSendsWithOneIdempotencyKeyStoreOneMessage() throws Exception {
        createQueue(QUEUE);
        Queue<SendResult> results = new ConcurrentLinkedQueue<>();
        for (int round = 0; round < 10; round++) {
            String key = "once-" + round;
            runTogether(THREADS, index -> results.add(send(QUEUE, "attempt " + index,
                    SendOptions.builder().idempotencyKey(key).build())));
        }

        assertThat(results).hasSize(10 * THREADS);
        assertThat(results.stream().filter(r -> !r.duplicate()).count()).as("first sends (seed %d)", seed).isEqualTo(10);
        assertThat(results.stream().map(SendResult::id).distinct().count()).as("distinct ids").isEqualTo(10);
        assertThat(counts(QUEUE).ready()).isEqualTo(10);
    }

    /**
     * An ack and a cancel of the same leased message race: exactly one wins. Either the message
     * SUCCEEDED and the cancel was refused, or it is CANCELLED and the ack found its lease stale.
     */
    @Test
    void ackRacingCancelHasExactlyOneWinner() throws Exception {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withConcurrency(10_000));
        List<OutgoingMessage> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            batch.add(OutgoingMessage.of(i));
        }
        sendBatch(QUEUE, batch);
        List<ReceivedMessage> leased = receive(QUEUE, 100);
        assertThat(leased).hasSize(100);
        ConcurrentHashMap<String, Boolean> ackWon = new ConcurrentHashMap<>();
        ConcurrentHashMap<String, Boolean> cancelWon = new ConcurrentHashMap<>();

        runTogether(THREADS, index -> {
            for (int i = index; i < leased.size(); i += THREADS) {
                ReceivedMessage m = leased.get(i);
                try (ExecutorService pair = Executors.newVirtualThreadPerTaskExecutor()) {
                    Future<Boolean> ack = pair.submit(() -> {
                        try {
                            postroom.ack(m.id(), m.leaseId(), null);
                            return true;
                        } catch (StaleLeaseException e) {
                            return false;
                        }
                    });
                    Future<Boolean> cancel = pair.submit(() -> {
                        try {
                            postroom.cancel(m.id());
                            return true;
                        } catch (IllegalTransitionException e) {
                            return false;
                        }
                    });
                    ackWon.put(m.id(), ack.get());
                    cancelWon.put(m.id(), cancel.get());
                }
            }
        });

        for (ReceivedMessage m : leased) {
            boolean ack = ackWon.get(m.id());
            boolean cancel = cancelWon.get(m.id());
            assertThat(ack ^ cancel).as("exactly one of ack (%s) and cancel (%s) of %s succeeds (seed %d)", ack, cancel, m.id(), seed).isTrue();
            assertThat(stateOf(m.id())).isEqualTo(ack ? MessageState.SUCCEEDED : MessageState.CANCELLED);
        }
    }
}
