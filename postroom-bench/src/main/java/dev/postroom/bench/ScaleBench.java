package dev.postroom.bench;

import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.OutgoingMessage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The scale run: a backlog of {@code --messages} (10,000,000) on the embedded store, durable
 * (synchronous=FULL, the default), stored, browsed and drained while the heap after GC is watched.
 * <ol>
 *   <li><b>send</b>: batches of 1,000 with up to 8 outstanding and no handler, as {@code Bench}'s
 *       backlog run; progress every 1,000,000 (rate so far, heap after GC, database files' size).</li>
 *   <li><b>browse</b>, the whole backlog waiting: the console's queries, each {@code --repeats} times
 *       (median, max): the queue's first page (newest first, 50 a page, the console's default), the
 *       first page with no filter, the queue with state READY, the queue with the payload text
 *       {@code tenant-42} (one message in 100), and page 1,000 of the queue reached by its cursors.</li>
 *   <li><b>drain</b>: a no-op handler with 64 slots (the queue's concurrency, as {@code Bench});
 *       progress every 1,000,000; the clock stops when every message is SUCCEEDED.</li>
 * </ol>
 * Heap after GC is sampled every 5 s over the whole run and at every progress line; the summary
 * gives its peak and the collectors' counts and times. Run with {@code -Xmx64m} to show the
 * backlog fits in 64 MiB:
 * {@code java -Xmx64m --enable-native-access=ALL-UNNAMED -cp postroom-bench/target/postroom-bench.jar dev.postroom.bench.ScaleBench --dir /tmp/scale}
 * (or {@code ./postroom bench scale}). The store is deleted at the end; at 10,000,000 it takes
 * about 6 GB.
 */
@Command(name = "scale-bench", mixinStandardHelpOptions = true, description = "A large backlog stored, browsed and drained in little heap.")
public final class ScaleBench implements Runnable {
    private static final int BATCH = 1000;
    /** Batches in flight at once: enough to fill a group commit, as in Bench's backlog run. */
    private static final int OUTSTANDING = 8;
    private static final int PROGRESS_EVERY = 1_000_000;
    private static final String QUEUE = "bench";
    /** One tenant of the workload's 100: a console user looking for one customer's messages. */
    private static final String TENANT = "tenant-42";
    private static final int DEEP_PAGE = 1000;

    @Option(names = "--messages", defaultValue = "10000000", description = "Messages in the backlog, default ${DEFAULT-VALUE}.")
    int messages;
    @Option(names = "--workers", defaultValue = "64", description = "Handler slots while draining, default ${DEFAULT-VALUE}.")
    int workers;
    @Option(names = "--repeats", defaultValue = "5", description = "Times each browse query runs, default ${DEFAULT-VALUE}.")
    int repeats;
    @Option(names = "--dir", defaultValue = "target/bench", description = "Where the store is made (and deleted after).")
    Path dir;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ScaleBench()).execute(args));
    }

    @Override
    public void run() {
        try {
            Files.createDirectories(dir);
            System.out.printf("scale bench: %,d messages, %d cores, JDK %s, max heap %d MiB%n", messages,
                    Runtime.getRuntime().availableProcessors(), Runtime.version(), Runtime.getRuntime().maxMemory() >> 20);
            try (HeapWatch heap = HeapWatch.every(5000); Fixture fixture = new Fixture(dir, "scale", workers)) {
                double sendRate = send(fixture, heap);
                long waiting = heap.sample();
                System.out.printf("backlog waiting: heap after GC %d MiB, database %s%n", waiting >> 20, size(fixture.dir));
                List<String> browse = browse(fixture);
                double drainRate = drain(fixture, heap);
                System.out.printf("%nsummary, %,d messages, max heap %d MiB%n", messages, Runtime.getRuntime().maxMemory() >> 20);
                System.out.printf("  send:  %,.0f messages/s (batches of %,d, %d outstanding)%n", sendRate, BATCH, OUTSTANDING);
                browse.forEach(line -> System.out.println("  " + line));
                System.out.printf("  drain: %,.0f messages/s (%d handler slots)%n", drainRate, workers);
                System.out.printf("  heap after GC: %d MiB with the backlog waiting, peak %d MiB over the whole run%n",
                        waiting >> 20, heap.peak() >> 20);
                System.out.printf("  collectors: %s%n", heap.collectors());
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private double send(Fixture fixture, HeapWatch heap) {
        long written = DiskWrites.ofThisProcess();
        long start = System.nanoTime();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (int n = 0; n < messages; n += BATCH) {
            List<OutgoingMessage> batch = new ArrayList<>(BATCH);
            for (int i = n; i < Math.min(messages, n + BATCH); i++) {
                batch.add(OutgoingMessage.of(Workload.sample(i, 0)));
            }
            pending.add(fixture.postroom.sendBatch(QUEUE, batch));
            if (pending.size() >= OUTSTANDING) {
                pending.removeFirst().join();
            }
            int sent = n + batch.size();
            if (sent % PROGRESS_EVERY == 0 && sent < messages) {
                // The batch just queued may still be in flight: count only what has been acknowledged.
                progress("sent", sent - pending.size() * BATCH, start, fixture, heap);
            }
        }
        pending.forEach(CompletableFuture::join);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("send: %,d messages stored in %.1f s = %,.0f messages/s; %s%n", messages, seconds, messages / seconds,
                DiskWrites.perMessage(written, DiskWrites.ofThisProcess(), messages));
        return messages / seconds;
    }

    private List<String> browse(Fixture fixture) {
        BrowseTimer timer = new BrowseTimer(fixture.postroom, repeats);
        MessageQuery queue = MessageQuery.builder().queue(QUEUE).build();
        List<String> lines = new ArrayList<>();
        lines.add("browse, queue, first page: " + timer.page("queue, first page", queue));
        lines.add("browse, no filter, first page: " + timer.page("no filter, first page", MessageQuery.ALL));
        lines.add("browse, queue + state READY: " + timer.page("queue + state READY",
                MessageQuery.builder().queue(QUEUE).state(MessageState.READY).build()));
        lines.add("browse, queue + text " + TENANT + ": " + timer.page("queue + text " + TENANT,
                MessageQuery.builder().queue(QUEUE).text(TENANT).build()));
        BrowseTimer.Times[] deep = timer.deepPage("queue", queue, DEEP_PAGE);
        lines.add("browse, queue, reaching page %,d by cursors: %s".formatted(DEEP_PAGE, deep[0]));
        lines.add("browse, queue, page %,d alone: %s".formatted(DEEP_PAGE, deep[1]));
        return lines;
    }

    private double drain(Fixture fixture, HeapWatch heap) throws InterruptedException {
        long written = DiskWrites.ofThisProcess();
        long start = System.nanoTime();
        fixture.postroom.handle(QUEUE, Workload.class, d -> null);
        long nextProgress = PROGRESS_EVERY;
        long done;
        while ((done = fixture.succeeded()) < messages) {
            if (done >= nextProgress) {
                progress("drained", done, start, fixture, heap);
                nextProgress = (done / PROGRESS_EVERY + 1) * PROGRESS_EVERY;
            }
            Thread.sleep(100);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("drain: %,d messages in %.1f s = %,.0f messages/s; %s; database %s%n", messages, seconds, messages / seconds,
                DiskWrites.perMessage(written, DiskWrites.ofThisProcess(), messages), size(fixture.dir));
        return messages / seconds;
    }

    private static void progress(String what, long count, long startNanos, Fixture fixture, HeapWatch heap) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        System.out.printf("  %s %,d in %.1f s (%,.0f/s so far); heap after GC %d MiB; database %s%n",
                what, count, seconds, count / seconds, heap.sample() >> 20, size(fixture.dir));
    }

    /** The store's files together (database, write-ahead log, shared memory), in MiB. */
    private static String size(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            long bytes = files.filter(Files::isRegularFile).mapToLong(ScaleBench::length).sum();
            return "%,d MiB".formatted(bytes >> 20);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long length(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0; // a log file checkpointed away while we looked
        }
    }
}
