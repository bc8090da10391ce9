package dev.postroom;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Waits for store futures and rethrows the store's own exception rather than a wrapper. */
public final class Futures {
    private Futures() {
    }

    public static <R> R join(CompletableFuture<R> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw unwrap(e);
        }
    }

    /** The exception a caller should see: the cause of a {@link CompletionException}. */
    public static RuntimeException unwrap(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
    }
}
