package dev.postroom;

import java.util.Map;

/**
 * Which messages an {@linkplain Erasures erasure} removes: those of any queue and state matching
 * every condition given. At least one is required, so that an erasure never means "everything".
 *
 * @param orderingKey  messages with this ordering key, or null
 * @param headers      messages with every one of these header values, or empty
 * @param payloadPointer a JSON Pointer into the payload ({@code /customer/id}), or null
 * @param payloadValue the value there, compared as text ({@code "7"} matches both {@code 7} and
 *                     {@code "7"}); required with {@code payloadPointer}
 */
public record ErasureFilter(String orderingKey, Map<String, String> headers, String payloadPointer, String payloadValue) {
    public ErasureFilter {
        // Nulls kept, for validate() to refuse by name: Map.copyOf would throw without saying which.
        headers = headers == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers));
    }

    /** Messages with this ordering key. */
    public static ErasureFilter orderingKey(String key) {
        return new ErasureFilter(key, Map.of(), null, null);
    }

    /** Messages whose payload holds {@code value} at {@code pointer}. */
    public static ErasureFilter payload(String pointer, String value) {
        return new ErasureFilter(null, Map.of(), pointer, value);
    }

    /** Messages with header {@code name} set to {@code value}. */
    public static ErasureFilter header(String name, String value) {
        return new ErasureFilter(null, Map.of(name, value), null, null);
    }

    /**
     * Checks the filter.
     *
     * @throws InvalidMessageException naming the field: no condition, a bad pointer, a pointer without a value
     */
    public void validate() {
        if (orderingKey == null && headers.isEmpty() && payloadPointer == null) {
            throw new InvalidMessageException("filter", "name at least one of orderingKey, headers, payload: an erasure never means everything");
        }
        if (orderingKey != null && (orderingKey.isEmpty() || orderingKey.length() > 256)) {
            throw new InvalidMessageException("filter.orderingKey", "must be 1–256 characters");
        }
        if (headers.size() > 16) {
            throw new InvalidMessageException("filter.headers", "at most 16 entries");
        }
        headers.forEach((name, value) -> {
            if (name == null || name.isEmpty() || name.length() > 128 || value == null || value.length() > 4096) {
                throw new InvalidMessageException("filter.headers", "names must be 1–128 characters and values 0–4096");
            }
        });
        if (payloadPointer != null) {
            try {
                Redaction.validate(java.util.List.of(payloadPointer));
            } catch (InvalidMessageException e) {
                throw new InvalidMessageException("filter.payload.pointer", "must be a JSON Pointer to a field, such as /customer/id");
            }
            if (payloadValue == null) {
                throw new InvalidMessageException("filter.payload.value", "is required with a pointer");
            }
        } else if (payloadValue != null) {
            throw new InvalidMessageException("filter.payload.pointer", "is required with a value");
        }
    }
}
