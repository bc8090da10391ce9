package dev.postroom.server.demo;

import dev.postroom.Backoff;
import dev.postroom.Postroom;
import dev.postroom.QueueInfo;
import dev.postroom.QueuePolicy;
import dev.postroom.SendOptions;
import dev.postroom.StateCounts;
import dev.postroom.store.sqlite.SqliteMessageStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs an embedded Postroom on the SQLite store with three back-office queues and a sender, and
 * prints the count of messages per state every second until Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run an embedded instance with sample admin work and live counts (Ctrl-C to stop).")
public final class DemoCommand implements Runnable {
    @Option(names = "--data", defaultValue = "postroom-data", description = "Data directory (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--rate", defaultValue = "20", description = "Messages sent per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--seconds", defaultValue = "0", description = "Stop after this many seconds; 0 runs until Ctrl-C.")
    int seconds;

    private final PrintStream out = System.out;

    @Override
    public void run() {
        if (rate < 1 || rate > 10_000) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--rate must be 1–10000");
        }
        Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(dataDir)).shutdownTimeout(Duration.ofSeconds(10)).build();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            out.println("\nstopping: finishing running handlers…");
            postroom.close();
            stopped.countDown();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        BackOffice office = new BackOffice();
        office.install(postroom);
        Thread sender = Thread.ofPlatform().daemon().name("demo-sender").start(() -> office.sendLoop(postroom, rate));
        out.printf("Postroom demo: data in %s, sending %d messages/s. Ctrl-C to stop.%n", dataDir.toAbsolutePath(), rate);
        long started = System.nanoTime();
        try {
            while (stopped.getCount() > 0) {
                if (seconds > 0 && System.nanoTime() - started > Duration.ofSeconds(seconds).toNanos()) {
                    break;
                }
                printCounts(postroom);
                Thread.sleep(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IllegalStateException closing) {
            return;
        }
        sender.interrupt();
        if (stopped.getCount() > 0) {
            Runtime.getRuntime().removeShutdownHook(hook);
            postroom.close();
        }
    }

    private void printCounts(Postroom postroom) {
        out.printf("%n%s  %-16s %9s %7s %9s %9s %6s %9s%n", LocalTime.now().truncatedTo(ChronoUnit.SECONDS),
                "queue", "scheduled", "ready", "in-flight", "succeeded", "dead", "cancelled");
        for (QueueInfo queue : postroom.queues()) {
            StateCounts c = queue.counts();
            out.printf("          %-16s %9d %7d %9d %9d %6d %9d%n", queue.name(),
                    c.scheduled(), c.ready(), c.inFlight(), c.succeeded(), c.dead(), c.cancelled());
        }
    }

    /** The sample work: announcements (quick), CSV exports (slow, with progress), refunds (flaky). */
    public static final class BackOffice {
        record Announcement(String audience, String subject) {
        }

        record Export(String customer, int rows) {
        }

        record Refund(String order, long cents) {
        }

        public void install(Postroom postroom) {
            postroom.createQueue("emails.announce", QueuePolicy.DEFAULT.withConcurrency(16));
            postroom.createQueue("exports.csv", QueuePolicy.DEFAULT.withConcurrency(4).withLease(Duration.ofSeconds(10)));
            postroom.createQueue("billing.refund", QueuePolicy.DEFAULT.withMaxAttempts(3)
                    .withBackoff(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(5), 2.0)));

            postroom.handle("emails.announce", Announcement.class, d -> {
                Thread.sleep(ThreadLocalRandom.current().nextInt(5, 40));
                return "sent to " + d.payload().audience();
            });
            postroom.handle("exports.csv", Export.class, d -> {
                int rows = d.payload().rows();
                for (int done = 0; done <= rows; done += rows / 5) {
                    d.progress(100 * done / rows, String.format("%,d of %,d rows", done, rows));
                    Thread.sleep(ThreadLocalRandom.current().nextInt(100, 400));
                }
                return "exports/" + d.payload().customer() + ".csv";
            });
            postroom.handle("billing.refund", Refund.class, d -> {
                if (d.payload().order().endsWith("13")) {
                    throw new IllegalStateException("payment provider rejected the refund: card expired");
                }
                if (ThreadLocalRandom.current().nextInt(100) < 25) {
                    throw new java.io.IOException("payment provider timed out");
                }
                return "refunded " + d.payload().cents() + " cents";
            });
        }

        public void sendLoop(Postroom postroom, int perSecond) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            long intervalNanos = 1_000_000_000L / perSecond;
            long next = System.nanoTime();
            int n = 0;
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    n++;
                    int pick = random.nextInt(100);
                    if (pick < 60) {
                        postroom.send("emails.announce", new Announcement("segment-" + random.nextInt(20), "Changes to our terms #" + n));
                    } else if (pick < 70) {
                        postroom.send("exports.csv", new Export("customer-" + random.nextInt(500), random.nextInt(1_000, 50_000)));
                    } else {
                        postroom.send("billing.refund", new Refund("order-" + random.nextInt(100, 1000), random.nextLong(100, 50_000)),
                                SendOptions.builder().orderingKey("customer-" + random.nextInt(50)).build());
                    }
                    next += intervalNanos;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            } catch (InterruptedException | IllegalStateException e) {
                // stopping
            }
        }
    }
}
