package dev.postroom.engine;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The handler invocations running on this node, by message id: the lease keeper extends their
 * leases, cancellation interrupts them, and shutdown waits for them.
 */
public final class RunningDeliveries {
    private final ConcurrentHashMap<String, HandlerRun<?>> runs = new ConcurrentHashMap<>();
    private final Object drained = new Object();

    void add(HandlerRun<?> run) {
        runs.put(run.id(), run);
    }

    void remove(HandlerRun<?> run) {
        runs.remove(run.id(), run);
        if (runs.isEmpty()) {
            synchronized (drained) {
                drained.notifyAll();
            }
        }
    }

    public Collection<HandlerRun<?>> all() {
        return runs.values();
    }

    public int size() {
        return runs.size();
    }

    /** Interrupts the handler of {@code id} if it runs here. */
    public void interrupt(String id) {
        HandlerRun<?> run = runs.get(id);
        if (run != null) {
            run.interrupt();
        }
    }

    /** Waits until nothing runs or {@code millis} pass; returns whether nothing runs. */
    public boolean awaitEmpty(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        synchronized (drained) {
            while (!runs.isEmpty()) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return false;
                }
                drained.wait(Math.min(left, 50));
            }
        }
        return true;
    }
}
