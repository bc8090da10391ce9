package dev.postroom.server.console;

import dev.postroom.ErasureFilter;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The console's erasure form as typed, shown back unchanged; empty fields are no condition.
 *
 * @param orderingKey the ordering key, or empty
 * @param header      a header name, or empty
 * @param headerValue its value
 * @param pointer     a JSON Pointer into payloads, or empty
 * @param value       the value there, compared as text
 */
public record ErasureForm(String orderingKey, String header, String headerValue, String pointer, String value) {
    static final ErasureForm EMPTY = new ErasureForm("", "", "", "", "");

    ErasureFilter filter() {
        return new ErasureFilter(orderingKey.isEmpty() ? null : orderingKey,
                header.isEmpty() ? Map.of() : Map.of(header, headerValue),
                pointer.isEmpty() ? null : pointer, pointer.isEmpty() ? null : value);
    }

    /** For the audit log: the conditions, never what they matched. */
    Map<String, Object> describe() {
        Map<String, Object> what = new LinkedHashMap<>();
        if (!orderingKey.isEmpty()) {
            what.put("orderingKey", orderingKey);
        }
        if (!header.isEmpty()) {
            what.put("headers", Map.of(header, headerValue));
        }
        if (!pointer.isEmpty()) {
            what.put("payload", Map.of("pointer", pointer, "value", value));
        }
        return what;
    }
}
