package dev.postroom;

import java.time.Instant;

/**
 * A compact view of one message, as listed by {@link Postroom#browse}: enough for a row of a
 * table; {@link Postroom#get} has the rest (full payload, headers, timeline, every error).
 *
 * @param id             UUIDv7 string
 * @param queue          the queue it was sent to
 * @param state          its current state (IN_FLIGHT while leased), as {@link Postroom#get} reports it
 * @param priority       0–9, higher first
 * @param orderingKey    FIFO key or null
 * @param attempt        deliveries so far, counting a current lease
 * @param maxAttempts    deliveries allowed before it is dead
 * @param enqueuedAt     when the send was acknowledged
 * @param updatedAt      when it reached its current state (for an IN_FLIGHT message, when it was leased)
 * @param payloadPreview the start of the payload's JSON text, at most {@value #PREVIEW_CHARS} characters
 *                       (so not necessarily valid JSON)
 * @param lastError      the message of its latest failed attempt, or null if none failed
 * @param batchId        the batch it was sent in ({@link Batches}), or null
 */
public record MessageSummary(
        String id,
        String queue,
        MessageState state,
        int priority,
        String orderingKey,
        int attempt,
        int maxAttempts,
        Instant enqueuedAt,
        Instant updatedAt,
        String payloadPreview,
        String lastError,
        String batchId) {

    /** The longest {@link #payloadPreview}, in characters. */
    public static final int PREVIEW_CHARS = 200;

    /** A message sent outside any batch. */
    public MessageSummary(String id, String queue, MessageState state, int priority, String orderingKey, int attempt,
                          int maxAttempts, Instant enqueuedAt, Instant updatedAt, String payloadPreview, String lastError) {
        this(id, queue, state, priority, orderingKey, attempt, maxAttempts, enqueuedAt, updatedAt, payloadPreview, lastError, null);
    }

    /** This summary with its preview masked for a reader ({@link Redaction#maskPreview}). */
    public MessageSummary masked(java.util.List<String> sensitiveFields) {
        return sensitiveFields.isEmpty() ? this : new MessageSummary(id, queue, state, priority, orderingKey, attempt, maxAttempts,
                enqueuedAt, updatedAt, Redaction.maskPreview(payloadPreview, sensitiveFields), lastError, batchId);
    }
}
