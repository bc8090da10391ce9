package dev.postroom;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * One delivery of a message to a {@link Handler}: the decoded payload plus ways to keep the lease
 * and report progress while working.
 *
 * @param <T> payload type
 */
public interface Delivery<T> {
    /** The message id. */
    String id();

    /** The queue it came from. */
    String queue();

    /** The payload, decoded from JSON. */
    T payload();

    /** Headers sent with the message (empty when none). */
    Map<String, String> headers();

    /** This attempt's number, starting at 1. */
    int attempt();

    /** When the current lease ends unless extended. */
    Instant leaseExpiresAt();

    /**
     * Extends the lease to {@code duration} from now: call it from long work so that the message
     * is not handed to another receiver.
     *
     * @throws StaleLeaseException if the lease was already lost (expired or cancelled)
     */
    void extendLease(Duration duration);

    /**
     * Records progress for operators.
     *
     * @param percent 0–100, or null
     * @param note    a line of text, or null
     * @throws StaleLeaseException if the lease was lost
     */
    void progress(Integer percent, String note);
}
