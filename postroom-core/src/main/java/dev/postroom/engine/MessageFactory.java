package dev.postroom.engine;

import dev.postroom.store.MessageIds;
import dev.postroom.Debounce;
import dev.postroom.InvalidMessageException;
import dev.postroom.Limits;
import dev.postroom.MessageTooLargeException;
import dev.postroom.QueuePolicy;
import dev.postroom.RawJson;
import dev.postroom.SendOptions;
import dev.postroom.store.NewMessage;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * Validates a send and turns it into a {@link NewMessage}. Every check happens here, before the
 * store sees anything, so a rejected send (or batch) writes nothing.
 */
public final class MessageFactory {
    private final Limits limits;
    private final JsonCodec codec;
    private final MessageIds ids;
    private final Tracing tracing;
    private final boolean carryMdc;
    private final Sealing sealing;

    /**
     * @param carryMdc whether a send carries the sender's MDC to the handler, see {@link SenderContext}
     */
    public MessageFactory(Limits limits, JsonCodec codec, MessageIds ids, Tracing tracing, boolean carryMdc, Sealing sealing) {
        this.sealing = sealing;
        this.carryMdc = carryMdc;
        this.limits = limits;
        this.codec = codec;
        this.ids = ids;
        this.tracing = tracing;
    }

    /**
     * @param fieldPrefix prefix for field names in errors, e.g. {@code messages[3].} in a batch
     */
    public NewMessage create(String queue, QueuePolicy policy, Object payload, SendOptions options,
                             Instant now, String fieldPrefix) {
        if (options == null) {
            options = SendOptions.DEFAULTS;
        }
        String json = payload instanceof RawJson raw ? raw.json() : codec.encode(fieldPrefix + "payload", payload);
        limits.requireWithinPayload(fieldPrefix + "payload", json);
        Sealing.refuseReserved(fieldPrefix + "payload", json);
        if (options.priority() < 0 || options.priority() > 9) {
            throw new InvalidMessageException(fieldPrefix + "priority", "must be 0–9, was " + options.priority());
        }
        Instant availableAt = now;
        if (options.delay() != null) {
            if (options.delay().isNegative() || options.delay().compareTo(MAX_HORIZON) > 0) {
                throw new InvalidMessageException(fieldPrefix + "delay", "must be 0 to 10 years, was " + options.delay());
            }
            availableAt = now.plus(options.delay());
        }
        if (options.notBefore() != null) {
            if (options.notBefore().isAfter(now.plus(MAX_HORIZON))) {
                throw new InvalidMessageException(fieldPrefix + "notBefore", "must be within 10 years, was " + options.notBefore());
            }
            if (options.notBefore().isAfter(availableAt)) {
                availableAt = options.notBefore();
            }
        }
        Instant expiresAt = null;
        if (options.ttl() != null) {
            if (options.ttl().isNegative() || options.ttl().isZero() || options.ttl().compareTo(MAX_HORIZON) > 0) {
                throw new InvalidMessageException(fieldPrefix + "ttl", "must be positive and at most 10 years, was " + options.ttl());
            }
            expiresAt = now.plus(options.ttl());
        }
        checkKey(fieldPrefix + "orderingKey", options.orderingKey());
        checkKey(fieldPrefix + "idempotencyKey", options.idempotencyKey());
        checkKey(fieldPrefix + "uniqueKey", options.uniqueKey());
        Instant debounceUntil = null;
        Debounce debounce = options.debounce();
        if (debounce != null) {
            availableAt = debounced(fieldPrefix, options, debounce, now);
            debounceUntil = now.plus(debounce.effectiveMaxWait());
        }
        checkHeaders(fieldPrefix + "headers", options.headers());
        // After the check: what tracing and the sender's MDC add is well-formed, and never takes the headers over their limit.
        String id = ids.next();
        Map<String, String> headers = tracing.send(queue, id, options.headers(), limits.maxHeaders());
        if (carryMdc) {
            headers = SenderContext.capture(headers, limits.maxHeaders(), limits.maxHeaderValueChars());
        }
        // Sealed last: limits apply to what the sender sent, not to its ciphertext.
        return new NewMessage(id, queue, sealing.seal(policy, json), headers, options.priority(), availableAt, expiresAt,
                options.orderingKey(), options.idempotencyKey(), policy.maxAttempts(), options.uniqueKey(),
                debounce == null ? null : debounce.key(), debounceUntil);
    }

    /** A debounced send's start: a window from now. It takes no delay of its own, and no other key that would pick a message for it. */
    private Instant debounced(String fieldPrefix, SendOptions options, Debounce debounce, Instant now) {
        String field = fieldPrefix + "debounce.";
        if (debounce.key() == null) {
            throw new InvalidMessageException(field + "key", "is required");
        }
        checkKey(field + "key", debounce.key());
        if (debounce.window() == null || debounce.window().isNegative() || debounce.window().isZero()
                || debounce.window().compareTo(MAX_HORIZON) > 0) {
            throw new InvalidMessageException(field + "window", "must be positive and at most 10 years, was " + debounce.window());
        }
        if (debounce.maxWait() != null && (debounce.maxWait().compareTo(debounce.window()) < 0 || debounce.maxWait().compareTo(MAX_HORIZON) > 0)) {
            throw new InvalidMessageException(field + "maxWait", "must be at least the window (" + debounce.window()
                    + ") and at most 10 years, was " + debounce.maxWait());
        }
        if (options.delay() != null || options.notBefore() != null) {
            throw new InvalidMessageException(fieldPrefix + (options.delay() != null ? "delay" : "notBefore"),
                    "not allowed with debounce: the window sets the start");
        }
        if (options.idempotencyKey() != null || options.uniqueKey() != null) {
            throw new InvalidMessageException(fieldPrefix + (options.idempotencyKey() != null ? "idempotencyKey" : "uniqueKey"),
                    "not allowed with debounce: a debounced send goes into the key's pending message");
        }
        return now.plus(debounce.window());
    }

    /** Delays, notBefore and TTLs beyond this are almost surely unit mistakes, and would overflow stored times. */
    private static final java.time.Duration MAX_HORIZON = java.time.Duration.ofDays(3653);

    private void checkKey(String field, String key) {
        if (key == null) {
            return;
        }
        if (key.isEmpty() || key.length() > limits.maxKeyChars()) {
            throw new InvalidMessageException(field, "must be 1–" + limits.maxKeyChars() + " characters, was " + key.length());
        }
    }

    private void checkHeaders(String field, Map<String, String> headers) {
        if (headers.size() > limits.maxHeaders()) {
            throw new InvalidMessageException(field, "at most " + limits.maxHeaders() + " entries, was " + headers.size());
        }
        for (Map.Entry<String, String> header : headers.entrySet()) {
            QueueNames.require(field + "." + header.getKey(), header.getKey());
            if (header.getValue() == null) {
                throw new InvalidMessageException(field + "." + header.getKey(), "must not be null");
            }
            if (header.getValue().length() > limits.maxHeaderValueChars()) {
                throw new InvalidMessageException(field + "." + header.getKey(),
                        "at most " + limits.maxHeaderValueChars() + " characters, was " + header.getValue().length());
            }
        }
    }
}
