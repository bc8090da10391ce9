package dev.postroom.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap a run really holds: used heap right after a full collection, sampled every few seconds
 * on a daemon thread and at the points the run asks for, keeping the peak. A full GC on a heap of
 * tens of MiB takes tens of milliseconds, so sampling every 5 s costs the run under 1%.
 * Also reads the collectors' own counts and times, to tell a heap that fits from one that only
 * fits by collecting all the time.
 */
final class HeapWatch implements AutoCloseable {
    private final AtomicLong peak = new AtomicLong();
    private final Thread sampler;
    private final long startNanos = System.nanoTime();

    private HeapWatch(long periodMillis) {
        sampler = Thread.ofPlatform().daemon().name("heap-watch").start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(periodMillis);
                    sample();
                }
            } catch (InterruptedException e) {
                // closed
            }
        });
    }

    static HeapWatch every(long periodMillis) {
        return new HeapWatch(periodMillis);
    }

    /** Used heap right after {@code System.gc()}, as {@code Bench} measures it. */
    static long afterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Takes a reading now, counts it towards the peak and returns it. */
    long sample() {
        long used = afterGc();
        peak.accumulateAndGet(used, Math::max);
        return used;
    }

    long peak() {
        return peak.get();
    }

    /**
     * Each collector's count and total time, and their sum as a share of the run so far. The full
     * collections include this watch's own {@code System.gc()} calls.
     */
    String collectors() {
        StringBuilder text = new StringBuilder();
        long millis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            text.append("%s: %,d in %,d ms; ".formatted(gc.getName(), gc.getCollectionCount(), gc.getCollectionTime()));
            millis += Math.max(0, gc.getCollectionTime());
        }
        double run = (System.nanoTime() - startNanos) / 1e6;
        return text.append("GC time %.1f%% of the run".formatted(100 * millis / run)).toString();
    }

    @Override
    public void close() {
        sampler.interrupt();
    }
}
