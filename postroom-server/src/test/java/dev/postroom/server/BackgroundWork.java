package dev.postroom.server;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The load a cluster test drives from background threads (senders, consumers): each thread's
 * first failure is kept and rethrown by {@link #assertNoFailure()} on the test's thread, and
 * {@link #close()} tells every thread to stop and waits for it.
 */
final class BackgroundWork implements AutoCloseable {
    /** A thread's work; may throw, which fails the test at its next {@link #assertNoFailure()}. */
    interface Body {
        void run() throws Exception;
    }

    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /** Starts {@code body} on a platform thread named {@code name}. */
    Thread start(String name, Body body) {
        Thread thread = Thread.ofPlatform().name(name).start(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure.compareAndSet(null, new AssertionError(name + " failed", t));
            }
        });
        threads.add(thread);
        return thread;
    }

    /** Whether {@link #close()} was called: loops check it to end. */
    boolean stopping() {
        return stopping.get();
    }

    /** Rethrows the first failure of any thread. */
    void assertNoFailure() {
        Throwable t = failure.get();
        if (t != null) {
            throw new AssertionError("a background thread failed", t);
        }
    }

    /** Asks every thread to stop and waits up to 10 s for each. */
    @Override
    public void close() throws InterruptedException {
        stopping.set(true);
        for (Thread thread : threads) {
            thread.join(Duration.ofSeconds(10));
        }
    }
}
