package dev.postroom.bench.store;

import dev.postroom.store.ClaimRequest;
import dev.postroom.store.ClaimedMessage;
import dev.postroom.store.Completion;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Claims from a queue of READY messages (topped up between iterations, outside the time), as one
 * dispatcher does, {@code batch} messages per claim: 1 is an engine with one free handler slot, 256
 * the most one claim of the engine asks for.
 * <ul>
 *   <li>{@link #claimAndAck}: claim {@code batch} messages, ack each of them, wait until the acks
 *       are durable; then the next claim. Scores claims per second and, as {@code messages},
 *       messages per second: the acks of one claim share a group commit, so this is what a claim's
 *       size buys.</li>
 *   <li>{@link #claim}: the claim alone, in microseconds. Its acks are committed after each
 *       invocation, outside the time, so every claim finds the writer thread idle: a claim's own
 *       cost (the hand-off to the writer, the ready buffer or the claim query, the leases), not
 *       its wait behind a commit.</li>
 * </ul>
 * The store's ready buffer is on this path: a claim query reads 256 rows beyond what it hands
 * out and keeps them in memory, so of 257 claims of one message, 256 run no query at all; a claim of
 * 256 queries every other time. Embedded store, {@code synchronous=FULL}; claims do not fsync,
 * acks do.
 *
 * <p>Run (from the repository root; about 3.5 minutes, short runs: 2 warm-up iterations of 3 s,
 * 3 measured of 5 s, one fork, as annotated; {@code -p batch=1} picks one size):
 * <pre>{@code
 * ./mvnw -q -B -DskipTests -pl postroom-bench -am package
 * java -cp postroom-bench/target/postroom-bench.jar org.openjdk.jmh.Main ClaimBenchmark
 * }</pre>
 */
@State(Scope.Thread)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ClaimBenchmark {
    /**
     * READY messages at the start of each iteration, per message of a claim. Every round waits for
     * a commit of its acks, fsync included (0.26 ms at the fastest measured on the reference
     * machine), so an iteration of 5 s runs at most about 20,000 rounds: 50,000 leaves room. A claim
     * that comes back short fails the run rather than measure an empty queue.
     */
    private static final int FILL_PER_CLAIMED = 50_000;
    /** Enough for the fastest case measured (256 per claim, 44,000 messages/s) for 13 s. */
    private static final int MAX_FILL = 600_000;
    private static final Duration LEASE = Duration.ofMinutes(5);

    @Param({"1", "16", "256"})
    public int batch;

    private ScratchStore scratch;
    private long fill;
    private List<ClaimedMessage> held = List.of();

    /** Messages claimed and acked, reported per second next to the claims. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Messages {
        public long messages;

        @Setup(Level.Iteration)
        public void reset() {
            messages = 0;
        }
    }

    @Setup(Level.Trial)
    public void open() {
        scratch = ScratchStore.open("claim");
        fill = Math.min((long) batch * FILL_PER_CLAIMED, MAX_FILL);
    }

    @Setup(Level.Iteration)
    public void topUp() {
        long ready = scratch.ready();
        if (ready < fill) {
            scratch.fill(fill - ready);
        }
    }

    @TearDown(Level.Invocation)
    public void ackHeld() {
        if (!held.isEmpty()) {
            ack(held).join();
            held = List.of();
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        ackHeld();
        scratch.close();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int claimAndAck(Messages counter) {
        List<ClaimedMessage> claimed = claimBatch();
        ack(claimed).join();
        counter.messages += claimed.size();
        return claimed.size();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public List<ClaimedMessage> claim() {
        held = claimBatch();
        return held;
    }

    private List<ClaimedMessage> claimBatch() {
        List<ClaimedMessage> claimed = scratch.store.claim(
                new ClaimRequest(ScratchStore.QUEUE, batch, LEASE, Instant.now(), ScratchStore.NODE)).join();
        if (claimed.size() < batch) {
            throw new IllegalStateException("the queue ran dry: " + claimed.size() + " of " + batch
                    + " claimed; raise FILL_PER_CLAIMED or MAX_FILL");
        }
        return claimed;
    }

    private CompletableFuture<Void> ack(List<ClaimedMessage> claimed) {
        Instant now = Instant.now();
        CompletableFuture<?>[] acks = new CompletableFuture<?>[claimed.size()];
        for (int i = 0; i < acks.length; i++) {
            ClaimedMessage m = claimed.get(i);
            acks[i] = scratch.store.ack(new Completion(m.id(), m.leaseId(), null, now, ScratchStore.NODE));
        }
        return CompletableFuture.allOf(acks);
    }
}
