package dev.postroom.engine;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes dispatchers and long-polling receivers when something changes in a queue (a send, a
 * retry, an ack that frees an ordering key or a concurrency slot), so that idle consumers react in
 * microseconds instead of polling. A waiter reads {@link #generation} before it looks at the store
 * and passes it to {@link #awaitChange}, so a change between the two is never missed.
 */
public final class QueueSignals {
    private final ConcurrentHashMap<String, Signal> signals = new ConcurrentHashMap<>();

    /** The queue's current generation. */
    public long generation(String queue) {
        return signal(queue).generation;
    }

    /** Announces a change in {@code queue}. */
    public void changed(String queue) {
        signal(queue).bump();
    }

    /** Announces a change in every queue (e.g. a maintenance pass promoted scheduled messages). */
    public void changedAll() {
        signals.values().forEach(Signal::bump);
    }

    /**
     * Waits until the queue's generation differs from {@code seen}, or {@code nanos} pass.
     *
     * @return true if a change happened
     */
    public boolean awaitChange(String queue, long seen, long nanos) throws InterruptedException {
        return signal(queue).await(seen, nanos);
    }

    private Signal signal(String queue) {
        return signals.computeIfAbsent(queue, q -> new Signal());
    }

    private static final class Signal {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private volatile long generation;
        private volatile int waiters;

        void bump() {
            lock.lock();
            try {
                generation++;
                if (waiters > 0) {
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }

        boolean await(long seen, long nanos) throws InterruptedException {
            lock.lock();
            try {
                waiters++;
                try {
                    while (generation == seen) {
                        if (nanos <= 0) {
                            return false;
                        }
                        nanos = changed.awaitNanos(nanos);
                    }
                    return true;
                } finally {
                    waiters--;
                }
            } finally {
                lock.unlock();
            }
        }
    }

}
