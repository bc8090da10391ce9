package dev.postroom.store.sqlite.crash;

import dev.postroom.Postroom;
import dev.postroom.SendResult;
import dev.postroom.StateCounts;
import dev.postroom.store.sqlite.SqliteMessageStore;
import dev.postroom.tck.DurableLog;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The process {@link KillNineCrashTest} kills. Arguments: {@code dataDir handledLog ackedLog cycle mode}.
 *
 * <p>Mode {@code run}: handles queue {@value #QUEUE} and sends a stream of unique payloads
 * {@code m-<cycle>-<n>} to it until killed. Every handled payload is fsync'd to the handled log
 * as {@code "<cycle> <payload>"} before the handler returns (so before its ack); every payload
 * whose send future completed successfully is then written to the acked log the same way.
 *
 * <p>Mode {@code drain}: sends nothing, handles until the queue has no READY, SCHEDULED or
 * IN_FLIGHT message, closes cleanly, prints {@value #DRAINED} with the counts and exits 0.
 *
 * <p>Any unexpected error (a send failing, a log write failing) halts with a non-zero status,
 * which the test reports along with this process's stderr.
 */
public final class CrashChild {
    static final String QUEUE = "crash";
    static final String READY = "CRASH-CHILD READY";
    static final String DRAINED = "CRASH-CHILD DRAINED";
    /** Sends awaiting their durable ack at once; bounds memory, keeps group commits full. */
    private static final int SEND_WINDOW = 128;
    /**
     * The sender pauses while this many messages wait: sends are much cheaper than handlings, and
     * an unbounded backlog would mean kills hit mostly sends and the final drain takes long.
     */
    private static final long MAX_BACKLOG = 1000;
    /** Never outlive a test run that went wrong without noticing us. */
    private static final long MAX_LIFETIME_SECONDS = 240;

    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5 || !(args[4].equals("run") || args[4].equals("drain"))) {
            System.err.println("usage: CrashChild dataDir handledLog ackedLog cycle run|drain");
            System.exit(2);
        }
        Path dataDir = Path.of(args[0]);
        Path handledPath = Path.of(args[1]);
        Path ackedPath = Path.of(args[2]);
        int cycle = Integer.parseInt(args[3]);
        boolean drain = args[4].equals("drain");
        startWatchdogs();

        DurableLog handled = DurableLog.open(handledPath, e -> die("handled log write failed", e));
        DurableLog acked = DurableLog.open(ackedPath, e -> die("acked log write failed", e));
        Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(dataDir)).build();
        postroom.createQueue(QUEUE);
        postroom.handle(QUEUE, String.class, delivery -> {
            // Durable before returning: only after this line is on disk may the message be acked.
            handled.append(cycle + " " + delivery.payload()).join();
            return null;
        });

        if (drain) {
            System.out.println(READY + " cycle=" + cycle + " mode=drain");
            System.out.flush();
            StateCounts counts = awaitDrained(postroom);
            postroom.close();
            handled.close();
            acked.close();
            System.out.println(DRAINED + " " + counts);
            System.out.flush();
            System.exit(0);
        }

        startSender(postroom, acked, cycle);
        System.out.println(READY + " cycle=" + cycle + " mode=run");
        System.out.flush();
        new CountDownLatch(1).await(); // until SIGKILL
    }

    private static void startSender(Postroom postroom, DurableLog acked, int cycle) {
        Semaphore window = new Semaphore(SEND_WINDOW);
        Thread.ofPlatform().daemon().name("crash-sender").start(() -> {
            for (long n = 0; ; n++) {
                while (n % 64 == 0 && backlog(postroom) > MAX_BACKLOG) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
                window.acquireUninterruptibly();
                String payload = "m-" + cycle + "-" + n;
                CompletableFuture<SendResult> sent;
                try {
                    sent = postroom.send(QUEUE, payload);
                } catch (RuntimeException e) {
                    die("send of " + payload + " threw", e);
                    return;
                }
                sent.whenComplete((result, error) -> {
                    window.release();
                    if (error != null) {
                        die("send of " + payload + " failed", error);
                    } else {
                        // Not awaited: this may run on the store's writer thread. Written after the ack.
                        acked.append(cycle + " " + payload);
                    }
                });
            }
        });
    }

    private static long backlog(Postroom postroom) {
        StateCounts counts = postroom.store().counts().getOrDefault(QUEUE, StateCounts.EMPTY);
        return counts.ready() + counts.scheduled();
    }

    private static StateCounts awaitDrained(Postroom postroom) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_LIFETIME_SECONDS / 2);
        while (true) {
            StateCounts counts = postroom.queue(QUEUE).counts();
            if (counts.ready() + counts.scheduled() + counts.inFlight() == 0) {
                return counts;
            }
            if (System.nanoTime() > deadline) {
                die("queue did not drain: " + counts, null);
            }
            Thread.sleep(20); // polling a child's own state; the test itself never sleeps
        }
    }

    private static void startWatchdogs() {
        // Orphaned after the test JVM died: do not keep writing into its temp dir.
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(5)));
        Thread.ofPlatform().daemon().name("crash-child-lifetime").start(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(MAX_LIFETIME_SECONDS));
            } catch (InterruptedException e) {
                return;
            }
            die("still running after " + MAX_LIFETIME_SECONDS + " s", null);
        });
    }

    private static void die(String why, Throwable error) {
        System.err.println("CRASH-CHILD FATAL: " + why);
        if (error != null) {
            error.printStackTrace(System.err);
        }
        System.err.flush();
        Runtime.getRuntime().halt(3);
    }
}
