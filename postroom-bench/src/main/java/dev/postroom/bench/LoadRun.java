package dev.postroom.bench;

import dev.postroom.Postroom;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The two loads {@link Bench} and {@link PostgresBench} drive, whatever the store: as fast as the
 * system takes it (throughput), and at a fixed rate with each message's send→handler time recorded
 * (latency). Messages are {@link Workload} samples.
 */
final class LoadRun {
    /** Sends a sender may have outstanding: enough to keep a store's group commit full, not so many the heap grows. */
    private static final int OUTSTANDING = 1000;

    private LoadRun() {
    }

    /**
     * Sends {@code count} messages to {@code queue}, one platform thread per entry of {@code senders}
     * (the same node may stand several times), each with up to 1,000 sends outstanding; returns once
     * {@code succeeded} has grown by {@code count}.
     */
    static void sendAndDrain(List<Postroom> senders, String queue, long count, LongSupplier succeeded) throws InterruptedException {
        long target = succeeded.getAsLong() + count;
        AtomicLong next = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (Postroom sender : senders) {
            threads.add(Thread.ofPlatform().start(() -> {
                Semaphore outstanding = new Semaphore(OUTSTANDING);
                long n;
                while ((n = next.getAndIncrement()) < count) {
                    outstanding.acquireUninterruptibly();
                    sender.send(queue, Workload.sample(n, System.nanoTime())).whenComplete((r, e) -> outstanding.release());
                }
                outstanding.acquireUninterruptibly(OUTSTANDING);
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        while (succeeded.getAsLong() < target) {
            Thread.sleep(2);
        }
    }

    /**
     * Sends {@code rate} messages a second for {@code seconds} to {@code queue}, round robin over
     * {@code nodes}, each of which handles the queue; records send→handler latency after two seconds of
     * warm-up, and waits up to 60 s for the last message to be handled.
     */
    static Latency latency(List<Postroom> nodes, String queue, int rate, int seconds) throws InterruptedException {
        Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        int total = rate * seconds;
        int warmup = rate * 2;
        CountDownLatch done = new CountDownLatch(total);
        for (Postroom node : nodes) {
            node.handle(queue, Workload.class, d -> {
                long latency = System.nanoTime() - d.payload().sentNanos();
                if (Long.parseLong(d.payload().target().substring("order-".length())) >= warmup) {
                    synchronized (histogram) {
                        histogram.recordValue(Math.min(latency, histogram.getHighestTrackableValue()));
                    }
                }
                done.countDown();
                return null;
            });
        }
        long interval = 1_000_000_000L / rate;
        long next = System.nanoTime();
        for (int n = 0; n < total; n++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                // Park rather than spin: a spinning sender would take one of the two cores from the system under test.
                LockSupport.parkNanos(wait);
            }
            nodes.get(n % nodes.size()).send(queue, Workload.sample(n, System.nanoTime()));
            next += interval;
        }
        done.await(60, TimeUnit.SECONDS);
        return new Latency(histogram, total, done.getCount());
    }

    /** A latency run's result: send→handler times, and how many of the {@code total} were not handled in time. */
    record Latency(Histogram histogram, int total, long unhandled) {
        /** p50, p99, p99.9 and max, for the result line. */
        String percentiles() {
            return "send→handler p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms".formatted(
                    histogram.getValueAtPercentile(50) / 1e6, histogram.getValueAtPercentile(99) / 1e6,
                    histogram.getValueAtPercentile(99.9) / 1e6, histogram.getMaxValue() / 1e6);
        }
    }
}
