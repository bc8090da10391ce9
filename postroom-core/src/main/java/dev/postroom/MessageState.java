package dev.postroom;

/**
 * The life-cycle states of a message. Every transition between them is recorded on the
 * message's timeline with time, node, attempt and reason.
 *
 * <pre>
 * SCHEDULED → READY → IN_FLIGHT → SUCCEEDED
 *                              ↘ SCHEDULED (retry) | DEAD | CANCELLED
 * </pre>
 */
public enum MessageState {
    /** Waiting for its {@code notBefore} time (a delay, or the backoff before a retry). The engine moves it to READY when the time comes. */
    SCHEDULED,
    /** Available to be leased by a receiver. A claim moves it to IN_FLIGHT. */
    READY,
    /** Held by a receiver under a lease. Ack, nack, lease expiry or cancellation move it on. */
    IN_FLIGHT,
    /** Handled successfully. Final; removed after the queue's retention. */
    SUCCEEDED,
    /** Failed every allowed attempt, or expired (TTL). Kept with every attempt's error until an operator retries or deletes it. */
    DEAD,
    /** Cancelled by an operator or the sender. Final. */
    CANCELLED;

    /** Whether no further transition happens without an operator (retry) or deletion. */
    public boolean isFinal() {
        return this == SUCCEEDED || this == DEAD || this == CANCELLED;
    }
}
