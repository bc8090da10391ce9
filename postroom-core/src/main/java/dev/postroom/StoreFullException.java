package dev.postroom;

import dev.postroom.store.StoreUnavailableException;

/**
 * The store's disk is full: the operation wrote nothing, and nothing acknowledged before it is
 * lost. Retry after space is freed; the store notices by itself and accepts writes again without
 * a restart. While the disk is full the embedded store still hands out stored messages (a receive
 * writes nothing), but refuses every write: sends, acks, nacks and the like.
 *
 * <p>A kind of {@link StoreUnavailableException}, so code that retries on an unavailable store
 * retries on this too. Over HTTP it is a {@code 507 Insufficient Storage} with a
 * {@code Retry-After} header.
 */
public class StoreFullException extends StoreUnavailableException {
    /**
     * @param message what was refused and why, for logs and the client
     * @param cause   the store's own error, or null when the write was refused without trying
     */
    public StoreFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
