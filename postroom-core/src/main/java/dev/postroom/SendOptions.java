package dev.postroom;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-message options. Build with {@link #builder()}; {@link #DEFAULTS} sends at once, priority 0,
 * no key, no headers, no TTL. Values are validated by {@link Postroom#send}, which throws
 * {@link InvalidMessageException} naming the field.
 *
 * @param delay          wait this long before the message becomes READY; null or zero for none
 * @param notBefore      do not deliver before this instant; null for none (the later of delay and notBefore wins)
 * @param priority       0–9, higher is delivered first
 * @param orderingKey    messages with the same key are handled one at a time in send order; null for none
 * @param idempotencyKey a repeat send with the same key on the same queue, while the first message is retained, returns the first message
 * @param headers        string headers
 * @param ttl            if not delivered within this time the message is dead with reason "expired"; null for no limit
 * @param uniqueKey      while a message of the queue with this key is unfinished (SCHEDULED, READY or IN_FLIGHT), a
 *                       send with the key is refused with {@link UniqueKeyConflictException} naming it; null for none
 * @param debounce       coalesce a burst: see {@link Debounce}; null for none
 */
public record SendOptions(
        Duration delay,
        Instant notBefore,
        int priority,
        String orderingKey,
        String idempotencyKey,
        Map<String, String> headers,
        Duration ttl,
        String uniqueKey,
        Debounce debounce) {

    /** Send now, priority 0, no keys, no headers, no TTL. */
    public static final SendOptions DEFAULTS = builder().build();

    public SendOptions {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /** Options without a unique key or debounce. */
    public SendOptions(Duration delay, Instant notBefore, int priority, String orderingKey, String idempotencyKey,
                       Map<String, String> headers, Duration ttl) {
        this(delay, notBefore, priority, orderingKey, idempotencyKey, headers, ttl, null, null);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link SendOptions}. */
    public static final class Builder {
        private Duration delay;
        private Instant notBefore;
        private int priority;
        private String orderingKey;
        private String idempotencyKey;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Duration ttl;
        private String uniqueKey;
        private Debounce debounce;

        private Builder() {
        }

        public Builder delay(Duration delay) {
            this.delay = delay;
            return this;
        }

        public Builder notBefore(Instant notBefore) {
            this.notBefore = notBefore;
            return this;
        }

        /** 0–9, higher first; default 0. */
        public Builder priority(int priority) {
            this.priority = priority;
            return this;
        }

        public Builder orderingKey(String orderingKey) {
            this.orderingKey = orderingKey;
            return this;
        }

        public Builder idempotencyKey(String idempotencyKey) {
            this.idempotencyKey = idempotencyKey;
            return this;
        }

        public Builder header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        public Builder headers(Map<String, String> headers) {
            this.headers.putAll(headers);
            return this;
        }

        public Builder ttl(Duration ttl) {
            this.ttl = ttl;
            return this;
        }

        /** Refuse the send while a message of the queue with this key is unfinished; see {@link SendOptions#uniqueKey}. */
        public Builder uniqueKey(String uniqueKey) {
            this.uniqueKey = uniqueKey;
            return this;
        }

        /**
         * Debounce under {@code key}: see {@link Debounce}. {@code maxWait} null waits at most ten
         * windows ({@link Debounce#DEFAULT_MAX_WAIT_WINDOWS}).
         */
        public Builder debounce(String key, Duration window, Duration maxWait) {
            this.debounce = new Debounce(key, window, maxWait);
            return this;
        }

        public SendOptions build() {
            return new SendOptions(delay, notBefore, priority, orderingKey, idempotencyKey, headers, ttl, uniqueKey, debounce);
        }
    }
}
