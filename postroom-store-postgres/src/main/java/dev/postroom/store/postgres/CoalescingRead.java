package dev.postroom.store.postgres;

import dev.postroom.store.StoreUnavailableException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * One read shared by concurrent callers, without ever answering a caller with a read that began
 * before it asked. A caller that finds no read running runs one; a caller that finds one running
 * waits for it to end and then shares the next read with every caller that arrived meanwhile. So
 * any number of concurrent callers cost at most two reads (the one running when they came and one
 * for all of them), and each result is as fresh as a read of the caller's own: an exact read stays
 * exact, and a caller always sees what it wrote before asking.
 *
 * <p>Why not simply join the running read: it may have taken its snapshot before the caller's own
 * write committed, and the store's contract (and the TCK) promise counts that include it.
 */
final class CoalescingRead<T> {
    private final Supplier<T> read;
    /** The read under way, or null; only the caller running it replaces it. Guarded by this. */
    private CompletableFuture<T> running;
    /** The read that begins when {@link #running} ends, shared by everyone who waits for it. Guarded by this. */
    private CompletableFuture<T> next;

    CoalescingRead(Supplier<T> read) {
        this.read = read;
    }

    T get() {
        CompletableFuture<T> mine;
        CompletableFuture<T> before = null;
        boolean reads = true;
        synchronized (this) {
            if (running == null) {
                mine = running = new CompletableFuture<>();
            } else if (next == null) {
                mine = next = new CompletableFuture<>();
                before = running;
            } else {
                mine = next;
                reads = false;
            }
        }
        if (reads) {
            if (before != null) {
                before.handle((value, failure) -> null).join(); // its outcome is not ours: only its end matters
            }
            T value = null;
            Throwable failure = null;
            try {
                value = read.get();
            } catch (Throwable t) {
                failure = t;
            }
            synchronized (this) {
                // Hand over before completing: a caller arriving from now on must not join the next
                // read, which may begin as soon as this one's waiters are released.
                running = next;
                next = null;
            }
            if (failure == null) {
                mine.complete(value);
            } else {
                mine.completeExceptionally(failure);
            }
        }
        try {
            return mine.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new StoreUnavailableException("read failed: " + cause, cause);
        }
    }
}
