package dev.postroom.store;

import java.time.Instant;
import java.util.Map;

/**
 * A validated message to store.
 *
 * @param id          UUIDv7 string from {@link dev.postroom.store.MessageIds}
 * @param availableAt when it may be delivered; after the batch's {@code now} it is stored SCHEDULED, else READY
 * @param expiresAt   TTL deadline or null
 */
public record NewMessage(
        String id,
        String queue,
        String payloadJson,
        Map<String, String> headers,
        int priority,
        Instant availableAt,
        Instant expiresAt,
        String orderingKey,
        String idempotencyKey,
        int maxAttempts) {
}
