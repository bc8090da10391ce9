package dev.postroom.bench;

import dev.postroom.OutgoingMessage;
import dev.postroom.bench.jobrunr.JobRunrPeer;
import dev.postroom.bench.jobrunr.PeerResult;
import dev.postroom.bench.rabbitmq.RabbitPeer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * End-to-end benchmarks of the embedded store, with RabbitMQ and JobRunr measured in the same run.
 * <ol>
 *   <li><b>throughput</b>: {@code --messages} sends from {@code --senders} threads (each keeping
 *       up to 1,000 sends outstanding), a no-op handler with {@code --workers} slots; the clock stops
 *       when every message is SUCCEEDED in the store (its ack committed).</li>
 *   <li><b>latency</b>: sends paced at {@code --rate} per second for {@code --latency-seconds};
 *       send-to-handler time of each message (nanoTime carried in the payload) into an HdrHistogram.</li>
 *   <li><b>backlog</b>: {@code --backlog} messages sent in batches of 1,000 with no handler; heap
 *       after a full GC; then a handler drains it and the peak heap after GC is sampled.</li>
 *   <li><b>JobRunr</b>: {@code --jobrunr-jobs} no-op jobs with as many workers, its SQLite storage,
 *       its shortest allowed poll interval; throughput and the ratio.</li>
 * </ol>
 * Run: {@code ./postroom bench} (defaults as published in BENCHMARKS.md).
 */
@Command(name = "postroom bench", mixinStandardHelpOptions = true, description = "End-to-end benchmarks of the embedded store.")
public final class Bench implements Runnable {
    @Option(names = "--messages", defaultValue = "300000", description = "Messages in the throughput run.")
    int messages;
    @Option(names = "--senders", defaultValue = "2", description = "Sender threads in the throughput run.")
    int senders;
    @Option(names = "--workers", defaultValue = "64", description = "Handler slots (and JobRunr workers).")
    int workers;
    @Option(names = "--rate", defaultValue = "5000", description = "Messages/s in the latency run.")
    int rate;
    @Option(names = "--latency-seconds", defaultValue = "20", description = "Length of the latency run.")
    int latencySeconds;
    @Option(names = "--backlog", defaultValue = "1000000", description = "Messages in the backlog run; 0 skips it.")
    int backlog;
    @Option(names = "--jobrunr-jobs", defaultValue = "20000", description = "Jobs in the JobRunr run; 0 skips it.")
    int jobrunrJobs;
    @Option(names = "--rabbitmq-messages", defaultValue = "200000",
            description = "Messages in each RabbitMQ throughput run (one per queue variant), default ${DEFAULT-VALUE}; 0 skips them.")
    int rabbitMessages;
    @Option(names = "--rabbitmq-latency", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Run RabbitMQ's latency run after Postroom's (--no-rabbitmq-latency skips it).")
    boolean rabbitLatency;
    @Option(names = "--rabbitmq-prefetch", defaultValue = "" + RabbitPeer.DEFAULT_PREFETCH, description = "RabbitMQ consumer prefetch, default ${DEFAULT-VALUE}.")
    int rabbitPrefetch;
    @Option(names = "--rabbitmq-outstanding", defaultValue = "" + RabbitPeer.DEFAULT_OUTSTANDING,
            description = "Unconfirmed publishes each RabbitMQ publisher may have, default ${DEFAULT-VALUE}.")
    int rabbitOutstanding;
    @Option(names = "--rounds", defaultValue = "1",
            description = "Postroom's and RabbitMQ's throughput runs, alternately, this many times (default ${DEFAULT-VALUE}); then the means.")
    int rounds;
    @Option(names = "--dir", defaultValue = "target/bench", description = "Where the runs keep their files.")
    Path dir;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Bench()).execute(args));
    }

    @Override
    public void run() {
        if (rounds < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--rounds must be at least 1: " + rounds);
        }
        try {
            Files.createDirectories(dir);
            System.out.printf("postroom bench: %d cores, JDK %s, max heap %d MiB%n", Runtime.getRuntime().availableProcessors(),
                    Runtime.version(), Runtime.getRuntime().maxMemory() >> 20);
            double ours = compareWithRabbit();
            if (backlog > 0) {
                backlog();
            }
            if (jobrunrJobs > 0) {
                PeerResult peer = JobRunrPeer.run(jobrunrJobs, workers, Files.createTempDirectory(dir, "jobrunr"));
                System.out.printf("jobrunr: %,d jobs in %.2f s = %,.0f jobs/s (%s)%n", peer.jobs(), peer.seconds(), peer.jobsPerSecond(), peer.notes());
                System.out.printf("ratio: postroom / jobrunr end-to-end throughput = %.1fx%n", ours / peer.jobsPerSecond());
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Postroom's throughput rounds, each followed by RabbitMQ's, then both latency runs; returns
     * Postroom's mean throughput. The broker starts before the first round (its start-up is not
     * measured; idle, it takes next to no CPU) and is stopped before the backlog and JobRunr runs.
     */
    private double compareWithRabbit() throws Exception {
        Optional<RabbitPeer> rabbit = rabbitMessages > 0 || rabbitLatency
                ? RabbitPeer.start(dir, rabbitPrefetch, rabbitOutstanding)
                : Optional.empty();
        try {
            rabbit.ifPresent(peer -> System.out.println("rabbitmq: " + peer.describe()));
            RabbitComparison comparison = new RabbitComparison(rabbit, rabbitMessages);
            for (int round = 1; round <= rounds; round++) {
                if (rounds > 1) {
                    System.out.printf("round %d of %d%n", round, rounds);
                }
                comparison.round(throughput());
            }
            comparison.summary();
            latency();
            if (rabbitLatency) {
                comparison.latency(rate, latencySeconds);
            }
            return comparison.postroomMean();
        } finally {
            rabbit.ifPresent(RabbitPeer::close);
        }
    }

    private double throughput() throws Exception {
        try (Fixture fixture = new Fixture(dir, "throughput", workers)) {
            AtomicLong handled = new AtomicLong();
            fixture.postroom.handle("bench", Workload.class, d -> {
                handled.incrementAndGet();
                return null;
            });
            // Warm-up: the JIT, the page cache and the file's first pages.
            sendAndDrain(fixture, Math.min(50_000, messages / 4));
            long before = fixture.succeeded();
            long written = DiskWrites.ofThisProcess();
            long start = System.nanoTime();
            sendAndDrain(fixture, messages);
            double seconds = (System.nanoTime() - start) / 1e9;
            double rate = (fixture.succeeded() - before) / seconds;
            Thread.sleep(1500); // the checkpoint that copies the run's last log frames back belongs to the run
            System.out.printf("throughput: %,d messages send→handler→ack in %.2f s = %,.0f messages/s (%d senders, %d handler slots, durable group commit); %s%n",
                    messages, seconds, rate, senders, workers, DiskWrites.perMessage(written, DiskWrites.ofThisProcess(), messages));
            return rate;
        }
    }

    private void sendAndDrain(Fixture fixture, int count) throws Exception {
        LoadRun.sendAndDrain(Collections.nCopies(senders, fixture.postroom), "bench", count, fixture::succeeded);
    }

    private void latency() throws Exception {
        try (Fixture fixture = new Fixture(dir, "latency", workers)) {
            LoadRun.Latency run = LoadRun.latency(List.of(fixture.postroom), "bench", rate, latencySeconds);
            System.out.printf("latency: %,d messages/s for %d s, %s%n", rate, latencySeconds, run.percentiles());
        }
    }

    private void backlog() throws Exception {
        try (Fixture fixture = new Fixture(dir, "backlog", workers)) {
            long start = System.nanoTime();
            List<CompletableFuture<?>> pending = new ArrayList<>();
            for (int n = 0; n < backlog; n += 1000) {
                List<OutgoingMessage> batch = new ArrayList<>(1000);
                for (int i = n; i < Math.min(backlog, n + 1000); i++) {
                    batch.add(OutgoingMessage.of(Workload.sample(i, 0)));
                }
                pending.add(fixture.postroom.sendBatch("bench", batch));
                if (pending.size() >= 8) {
                    pending.remove(0).join();
                }
            }
            pending.forEach(CompletableFuture::join);
            double fill = (System.nanoTime() - start) / 1e9;
            long heapWithBacklog = HeapWatch.afterGc();
            System.out.printf("backlog: %,d ready messages stored in %.1f s (%,.0f/s in batches of 1,000); heap after GC %d MiB%n",
                    backlog, fill, backlog / fill, heapWithBacklog >> 20);
            AtomicLong peak = new AtomicLong();
            fixture.postroom.handle("bench", Workload.class, d -> null);
            long drainStart = System.nanoTime();
            while (fixture.succeeded() < backlog) {
                Thread.sleep(1000);
                peak.accumulateAndGet(HeapWatch.afterGc(), Math::max);
            }
            double drain = (System.nanoTime() - drainStart) / 1e9;
            System.out.printf("backlog drain: %,d messages in %.1f s = %,.0f messages/s; peak heap after GC while draining %d MiB%n",
                    backlog, drain, backlog / drain, peak.get() >> 20);
        }
    }
}
