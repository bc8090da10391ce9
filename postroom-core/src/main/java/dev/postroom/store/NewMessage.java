package dev.postroom.store;

import java.time.Instant;
import java.util.Map;

/**
 * A validated message to store.
 *
 * @param id          UUIDv7 string from {@link dev.postroom.store.MessageIds}
 * @param availableAt when it may be delivered; after the batch's {@code now} it is stored SCHEDULED, else READY
 * @param expiresAt   TTL deadline or null
 * @param uniqueKey   refused while an unfinished message of the queue has it ({@link dev.postroom.UniqueKeyConflictException}), or null
 * @param debounceKey merged into the key's pending message of the queue, if there is one, or null
 * @param debounceUntil for a debounced message: the latest its start may be pushed back to (the
 *                    maximum wait from the first send); null otherwise
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
        int maxAttempts,
        String uniqueKey,
        String debounceKey,
        Instant debounceUntil) {

    /** A message without a unique or debounce key. */
    public NewMessage(String id, String queue, String payloadJson, Map<String, String> headers, int priority, Instant availableAt,
                      Instant expiresAt, String orderingKey, String idempotencyKey, int maxAttempts) {
        this(id, queue, payloadJson, headers, priority, availableAt, expiresAt, orderingKey, idempotencyKey, maxAttempts, null, null, null);
    }

    /** Whether storing it needs a look at stored messages first (idempotency, unique or debounce key). */
    public boolean looksUpKeys() {
        return idempotencyKey != null || uniqueKey != null || debounceKey != null;
    }

    /** This message available at {@code at} instead (a held workflow step). */
    public NewMessage availableAt(Instant at) {
        return new NewMessage(id, queue, payloadJson, headers, priority, at, expiresAt, orderingKey, idempotencyKey, maxAttempts,
                uniqueKey, debounceKey, debounceUntil);
    }
}
