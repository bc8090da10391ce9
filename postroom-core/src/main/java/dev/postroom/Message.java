package dev.postroom;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything known about one message, as returned by {@link Postroom#get(String)}.
 *
 * @param id             UUIDv7 string
 * @param queue          the queue it was sent to
 * @param state          its current state
 * @param payloadJson    the payload as JSON text
 * @param headers        string headers (empty when none)
 * @param priority       0–9, higher first
 * @param orderingKey    FIFO key or null
 * @param idempotencyKey idempotency key or null
 * @param attempt        deliveries so far
 * @param maxAttempts    deliveries allowed before it is dead
 * @param enqueuedAt     when the send was acknowledged
 * @param notBefore      earliest time it may be delivered (for SCHEDULED messages, when it becomes READY)
 * @param expiresAt      TTL deadline or null
 * @param leaseExpiresAt while IN_FLIGHT, when the current lease ends; otherwise null
 * @param resultJson     the handler's result as JSON text, or null
 * @param progress       the last progress report, or null
 * @param errors         every failed attempt's error, oldest first
 * @param timeline       every transition, oldest first
 * @param batchId        the batch it was sent in ({@link Batches}), or null
 * @param snoozes        how often it was {@linkplain Delivery#snooze snoozed}; snoozes spend no attempt
 */
public record Message(
        String id,
        String queue,
        MessageState state,
        String payloadJson,
        Map<String, String> headers,
        int priority,
        String orderingKey,
        String idempotencyKey,
        int attempt,
        int maxAttempts,
        Instant enqueuedAt,
        Instant notBefore,
        Instant expiresAt,
        Instant leaseExpiresAt,
        String resultJson,
        Progress progress,
        List<AttemptError> errors,
        List<TimelineEntry> timeline,
        String batchId,
        int snoozes) {

    /** A message sent outside any batch. */
    public Message(String id, String queue, MessageState state, String payloadJson, Map<String, String> headers,
                   int priority, String orderingKey, String idempotencyKey, int attempt, int maxAttempts,
                   Instant enqueuedAt, Instant notBefore, Instant expiresAt, Instant leaseExpiresAt, String resultJson,
                   Progress progress, List<AttemptError> errors, List<TimelineEntry> timeline) {
        this(id, queue, state, payloadJson, headers, priority, orderingKey, idempotencyKey, attempt, maxAttempts,
                enqueuedAt, notBefore, expiresAt, leaseExpiresAt, resultJson, progress, errors, timeline, null, 0);
    }

    /** This message with its payload's sensitive fields masked for a reader ({@link Redaction#mask}). */
    public Message masked(List<String> sensitiveFields) {
        return sensitiveFields.isEmpty() ? this : new Message(id, queue, state, Redaction.mask(payloadJson, sensitiveFields), headers,
                priority, orderingKey, idempotencyKey, attempt, maxAttempts, enqueuedAt, notBefore, expiresAt, leaseExpiresAt, resultJson,
                progress, errors, timeline, batchId, snoozes);
    }
}
