package dev.postroom;

import java.time.Instant;
import java.util.Map;

/**
 * A message leased to a pull consumer by {@link Postroom#receive}. Settle it with
 * {@link Postroom#ack}, {@link Postroom#nack} or keep it with {@link Postroom#extend} before
 * {@code leaseExpiresAt}; after that the lease is stale and the message goes to another receiver.
 *
 * @param id             message id
 * @param queue          queue name
 * @param payloadJson    payload as JSON text
 * @param headers        headers (empty when none)
 * @param attempt        this delivery's attempt number, starting at 1
 * @param maxAttempts    attempts allowed in all
 * @param leaseId        the lease to quote when settling
 * @param leaseExpiresAt when the lease ends unless extended
 * @param enqueuedAt     when it was sent
 * @param orderingKey    FIFO key or null
 * @param priority       0–9
 */
public record ReceivedMessage(
        String id,
        String queue,
        String payloadJson,
        Map<String, String> headers,
        int attempt,
        int maxAttempts,
        String leaseId,
        Instant leaseExpiresAt,
        Instant enqueuedAt,
        String orderingKey,
        int priority) {
}
