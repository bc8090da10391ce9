package dev.postroom.store;

import java.time.Instant;
import java.util.Map;

/** A message leased by a claim; {@code attempt} already counts this delivery. */
public record ClaimedMessage(
        String id,
        String queue,
        String payloadJson,
        Map<String, String> headers,
        int priority,
        String orderingKey,
        int attempt,
        int maxAttempts,
        String leaseId,
        Instant leaseExpiresAt,
        Instant enqueuedAt) {
}
