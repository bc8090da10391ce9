package dev.postroom.store.sqlite;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The embedded store's ready buffer alone, in nanoseconds per row: what a claim pays in memory
 * instead of a query. It lives in the store's package (the buffer is package-private there) but
 * ships only in this module.
 * <ul>
 *   <li>{@code sendThenClaim}: a consumer that keeps up; each sent row goes into the exhaustive
 *       buffer and the next claim takes it out, no query at all.</li>
 *   <li>{@code readAheadThenClaim}: a backlog; one claim query's 256 rows are kept, then 256
 *       claims of one take them out.</li>
 * </ul>
 * Run: {@code java -cp postroom-bench/target/postroom-bench.jar org.openjdk.jmh.Main ReadyBufferBenchmark}
 * (about 40 s).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class ReadyBufferBenchmark {
    private static final String QUEUE = "bench";
    private static final int READ_AHEAD = 256;
    private static final String PAYLOAD = "{\"tenant\":\"tenant-7\",\"action\":\"refund\",\"note\":\"" + "x".repeat(96) + "\"}";

    private ReadyBuffer buffer;
    private List<ReadyBuffer.Candidate> readAhead;
    private long seq;

    @Setup
    public void setUp() {
        buffer = new ReadyBuffer();
        buffer.keep(QUEUE, List.of(), true); // an empty queue whose buffer holds everything
        readAhead = new ArrayList<>(READ_AHEAD);
        for (int i = 0; i < READ_AHEAD; i++) {
            readAhead.add(candidate(i));
        }
    }

    @Benchmark
    public ReadyBuffer.Candidate sendThenClaim() {
        buffer.becameReady(QUEUE, candidate(++seq));
        return buffer.poll(QUEUE);
    }

    @Benchmark
    @OperationsPerInvocation(READ_AHEAD)
    public void readAheadThenClaim(Blackhole claimed) {
        buffer.keep(QUEUE, readAhead, false);
        for (int i = 0; i < READ_AHEAD; i++) {
            claimed.consume(buffer.poll(QUEUE));
        }
    }

    private static ReadyBuffer.Candidate candidate(long seq) {
        return new ReadyBuffer.Candidate(seq, "01J" + seq, PAYLOAD, null, 0, null, 0, 5, seq, null);
    }
}
