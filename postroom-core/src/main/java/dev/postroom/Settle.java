package dev.postroom;

import java.time.Duration;

/**
 * One entry of a batch settle ({@link Postroom#ackAll}, {@link Postroom#nackAll}): a leased
 * message and what to do with it.
 */
public sealed interface Settle {
    /** The message. */
    String id();

    /** Its current lease. */
    String leaseId();

    /**
     * Completes the message, storing {@code result} (any Jackson-serialisable object, a
     * {@link RawJson}, or null).
     */
    record Ack(String id, String leaseId, Object result) implements Settle {
    }

    /**
     * Fails the current attempt with {@code error} (and {@code detail}, or null); it is retried
     * after {@code retryAfter}, or the queue's backoff when null, or is DEAD when it was the last.
     */
    record Nack(String id, String leaseId, String error, String detail, Duration retryAfter) implements Settle {
    }
}
