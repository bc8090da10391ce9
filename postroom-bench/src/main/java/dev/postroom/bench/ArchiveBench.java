package dev.postroom.bench;

import dev.postroom.MessageListener;
import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import dev.postroom.store.sqlite.SqliteMessageStore;
import dev.postroom.store.sqlite.SqliteOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * What the archive costs the send → handler → ack path: the throughput run with every finished
 * message leaving the live table at once (retention 0, the retention pass forced every second),
 * deleted in one variant and moved to the archive in the other, interleaved round by round. The
 * forced pass is the worst case: by default it runs once a minute.
 */
@Command(name = "archive", mixinStandardHelpOptions = true, description = "The archive's cost on the send/ack path.")
public final class ArchiveBench implements Runnable {
    @Option(names = "--messages", defaultValue = "150000", description = "Messages per run.")
    int messages;
    @Option(names = "--rounds", defaultValue = "3", description = "Rounds; each runs both variants, alternating which goes first.")
    int rounds;
    @Option(names = "--senders", defaultValue = "2", description = "Sender threads.")
    int senders;
    @Option(names = "--workers", defaultValue = "64", description = "Handler slots.")
    int workers;
    @Option(names = "--dir", defaultValue = "target/bench", description = "Where the runs keep their files.")
    Path dir;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ArchiveBench()).execute(args));
    }

    @Override
    public void run() {
        try {
            Files.createDirectories(dir);
            Map<Boolean, List<Double>> rates = Map.of(false, new ArrayList<>(), true, new ArrayList<>());
            for (int round = 1; round <= rounds; round++) {
                boolean archiveFirst = round % 2 == 0;
                for (boolean archive : new boolean[]{archiveFirst, !archiveFirst}) {
                    double rate = once(archive);
                    rates.get(archive).add(rate);
                    System.out.printf("round %d %-8s %,.0f messages/s%n", round, archive ? "archive" : "delete", rate);
                }
            }
            double deleted = mean(rates.get(false));
            double archived = mean(rates.get(true));
            System.out.printf("mean: delete %,.0f, archive %,.0f messages/s; archive / delete = %.3f%n", deleted, archived, archived / deleted);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private double once(boolean archive) throws IOException, InterruptedException {
        Path runDir = Files.createTempDirectory(dir, archive ? "archive" : "delete");
        AtomicLong succeeded = new AtomicLong();
        MessageListener counter = new MessageListener() {
            @Override
            public void handled(String queue, MessageState outcome, long nanosSinceSend, long handleNanos) {
                if (outcome == MessageState.SUCCEEDED) {
                    succeeded.incrementAndGet();
                }
            }
        };
        ScheduledExecutorService retention = Executors.newSingleThreadScheduledExecutor();
        try (Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(SqliteOptions.of(runDir))).listener(counter).build()) {
            QueuePolicy policy = QueuePolicy.DEFAULT.withConcurrency(workers).withRetention(Duration.ZERO);
            postroom.createQueue("bench", archive ? policy.withArchive(Duration.ofDays(1)) : policy);
            postroom.handle("bench", Workload.class, d -> Map.of("ok", true));
            retention.scheduleWithFixedDelay(postroom::runMaintenance, 1, 1, TimeUnit.SECONDS);
            List<Postroom> nodes = Collections.nCopies(senders, postroom);
            LoadRun.sendAndDrain(nodes, "bench", Math.min(30_000, messages / 4), succeeded::get); // warm-up
            long before = succeeded.get();
            long start = System.nanoTime();
            LoadRun.sendAndDrain(nodes, "bench", messages, succeeded::get);
            double rate = (succeeded.get() - before) / ((System.nanoTime() - start) / 1e9);
            retention.shutdown();
            retention.awaitTermination(30, TimeUnit.SECONDS);
            postroom.runMaintenance();
            boolean kept = !postroom.archive().browse(MessageQuery.builder().queue("bench").limit(1).build()).messages().isEmpty();
            if (kept != archive) {
                throw new IllegalStateException("the " + (archive ? "archive" : "delete") + " run " + (kept ? "archived" : "did not archive"));
            }
            return rate;
        } finally {
            retention.shutdownNow();
            try (Stream<Path> files = Files.walk(runDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }
}
