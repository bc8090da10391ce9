package dev.postroom;

import java.util.Map;

/**
 * Limits that hold per <em>key</em> of a queue rather than for the whole queue: per tenant, per
 * customer, per external API. The key of a message is the value of the header named {@code
 * header}, or its ordering key when {@code header} is null; messages without one share the empty
 * key. With a per-key limit the queue hands out its messages round-robin across keys, so a flood
 * on one key delays another key's next message by at most one message per other waiting key,
 * however long the flood's backlog (priority then orders messages within a key only).
 * <pre>{@code
 * QueuePolicy.DEFAULT.withPerKey(KeyLimit.byHeader("tenant").withMaxInFlight(2).withRateLimit(RateLimit.perSecond(10)))
 * }</pre>
 * The key is taken from each message when it is sent; changing {@code header} re-keys the queue's
 * waiting messages. Validated with the queue's policy: at least one of the two limits, {@code
 * maxInFlight} 1–10,000, {@code header} a valid header name.
 *
 * @param header      the header whose value is the key, or null for the ordering key
 * @param maxInFlight at most this many messages of one key in flight at once, cluster-wide; null for no cap
 * @param rateLimit   at most this many messages of one key handed out per interval; null for no rate limit
 */
public record KeyLimit(String header, Integer maxInFlight, RateLimit rateLimit) {

    /** Keys by the value of {@code header}; add a limit with {@link #withMaxInFlight} or {@link #withRateLimit}. */
    public static KeyLimit byHeader(String header) {
        return new KeyLimit(header, null, null);
    }

    /** Keys by the ordering key; add a limit with {@link #withMaxInFlight} or {@link #withRateLimit}. */
    public static KeyLimit byOrderingKey() {
        return new KeyLimit(null, null, null);
    }

    public KeyLimit withMaxInFlight(int value) {
        return new KeyLimit(header, value, rateLimit);
    }

    public KeyLimit withRateLimit(RateLimit value) {
        return new KeyLimit(header, maxInFlight, value);
    }

    /** The key of a message with these headers and ordering key: never null, the empty key when it has none. */
    public String keyOf(Map<String, String> headers, String orderingKey) {
        String key = header == null ? orderingKey : headers.get(header);
        return key == null ? "" : key;
    }
}
