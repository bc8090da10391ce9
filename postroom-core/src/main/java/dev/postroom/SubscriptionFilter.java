package dev.postroom;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which published messages a subscription takes: those whose headers hold every one of
 * {@link #headers()} with exactly that value (other headers do not matter). {@link #ALL}, with no
 * headers, takes every message. Header names follow the queue-name rules and values the header
 * limits of {@link Limits}; {@link Topics#subscribe} checks them.
 * <pre>{@code
 * SubscriptionFilter euGold = SubscriptionFilter.headers(Map.of("region", "eu", "tier", "gold"));
 * }</pre>
 *
 * @param headers required header values, by name
 */
public record SubscriptionFilter(Map<String, String> headers) {
    /** Matches every message. */
    public static final SubscriptionFilter ALL = new SubscriptionFilter(Map.of());

    public SubscriptionFilter {
        // Sorted: filters print, store and compare the same whatever order they were built in.
        headers = headers == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(headers));
    }

    /** A filter requiring each of {@code headers}. */
    public static SubscriptionFilter headers(Map<String, String> headers) {
        return new SubscriptionFilter(headers);
    }

    /** A filter requiring one header value. */
    public static SubscriptionFilter header(String name, String value) {
        return new SubscriptionFilter(Map.of(name, value));
    }

    /** Whether a message with {@code messageHeaders} passes: it carries every required header with the same value. */
    public boolean matches(Map<String, String> messageHeaders) {
        for (Map.Entry<String, String> required : headers.entrySet()) {
            if (!Objects.equals(messageHeaders.get(required.getKey()), required.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** True for {@link #ALL}: no header required. */
    public boolean isEmpty() {
        return headers.isEmpty();
    }
}
