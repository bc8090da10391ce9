package dev.postroom.bench.store;

import dev.postroom.store.SendBatch;
import dev.postroom.store.SendOutcome;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What one fsync buys when many writers share it. Each benchmark thread sends one message (about
 * 200 bytes of JSON) through {@code MessageStore.send} and waits for its future, which completes
 * once the message is durable: what a caller of {@code postroom.send(...).join()} does. The store's
 * single writer takes every send queued while the previous transaction committed into the next
 * one, so with more writers each commit (and its fsync) carries more messages. The three methods
 * differ only in the number of writers: 1, 8 and 64 threads on one store; the score is durable
 * sends per second, all writers together. Embedded store, {@code synchronous=FULL}.
 *
 * <p>Run (from the repository root; about 90 s, short runs: 2 warm-up iterations of 3 s, 3 measured
 * of 5 s, one fork, as annotated; do not pass {@code -t}, it would override the writer counts):
 * <pre>{@code
 * ./mvnw -q -B -DskipTests -pl postroom-bench -am package
 * java -cp postroom-bench/target/postroom-bench.jar org.openjdk.jmh.Main GroupCommitBenchmark
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class GroupCommitBenchmark {
    private ScratchStore scratch;

    @Setup(Level.Trial)
    public void open() {
        scratch = ScratchStore.open("group-commit");
    }

    @TearDown(Level.Trial)
    public void close() {
        scratch.close();
    }

    @Benchmark
    @Threads(1)
    public List<SendOutcome> oneWriter() {
        return sendOne();
    }

    @Benchmark
    @Threads(8)
    public List<SendOutcome> eightWriters() {
        return sendOne();
    }

    @Benchmark
    @Threads(64)
    public List<SendOutcome> sixtyFourWriters() {
        return sendOne();
    }

    private List<SendOutcome> sendOne() {
        Instant now = Instant.now();
        return scratch.store.send(new SendBatch(List.of(scratch.message(now)), now, ScratchStore.NODE)).join();
    }
}
