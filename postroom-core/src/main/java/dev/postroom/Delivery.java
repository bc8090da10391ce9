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

    /**
     * The W3C trace context the message was sent with (its {@code traceparent} header), or null.
     * Postroom adds it at send time from the sender's current OpenTelemetry span, when the
     * OpenTelemetry API is on the class path and the headers carry none; the handler then runs with
     * that context current.
     */
    default String traceparent() {
        return headers().get("traceparent");
    }

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

    /**
     * Asks that this message come back after {@code delay} instead of being settled when the handler
     * returns: "not yet". No attempt is spent; the snooze is counted and shown on the timeline, and
     * one past the queue's {@link QueuePolicy#snoozeLimit()} ends the message DEAD. Call it and
     * return: whatever the handler then returns or throws, the message is snoozed, not acked or failed.
     * <pre>{@code
     * if (!files.exists(delivery.payload().path())) {
     *     delivery.snooze(Duration.ofMinutes(5));
     *     return null;
     * }
     * }</pre>
     *
     * @throws InvalidMessageException for a negative delay or one over 10 years
     */
    default void snooze(java.time.Duration delay) {
        throw new UnsupportedOperationException("this delivery cannot be snoozed");
    }

    /**
     * The workflow this message is a step of, with the results of the steps it followed; empty for
     * a message outside any workflow (read from the store only for a step message).
     */
    default java.util.Optional<WorkflowContext> workflow() {
        return java.util.Optional.empty();
    }
}
