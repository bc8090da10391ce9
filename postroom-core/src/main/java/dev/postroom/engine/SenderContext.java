package dev.postroom.engine;

import org.slf4j.MDC;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Carries the sender's logging context (its SLF4J MDC: a request id, the operator's name) to the
 * handler, so that the handler's log lines can be found from the request that caused them. At a
 * send each MDC entry travels as a header {@code mdc.<key>}; around a handler they are put back
 * in the MDC under their own keys. Entries that do not fit the header rules or limits are left
 * behind rather than failing the send; headers the caller set win.
 */
final class SenderContext {
    static final String PREFIX = "mdc.";
    /** The handler's own keys, set from the message itself, and trace ids that the tracer sets anew. */
    private static final Set<String> NOT_CARRIED = Set.of("messageId", "queue", "attempt",
            "traceId", "spanId", "trace_id", "span_id", "trace_flags");
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._-]{1,124}");

    private SenderContext() {
    }

    /** {@code headers} plus the caller's MDC entries, within {@code maxHeaders} and {@code maxValueChars}. */
    static Map<String, String> capture(Map<String, String> headers, int maxHeaders, int maxValueChars) {
        Map<String, String> context = MDC.getCopyOfContextMap();
        if (context == null || context.isEmpty()) {
            return headers;
        }
        Map<String, String> carried = new LinkedHashMap<>(headers);
        for (Map.Entry<String, String> entry : context.entrySet()) {
            String key = entry.getKey();
            String value = entry.getValue();
            if (carried.size() >= maxHeaders) {
                break;
            }
            if (NOT_CARRIED.contains(key) || !KEY.matcher(key).matches() || value == null || value.length() > maxValueChars) {
                continue;
            }
            carried.putIfAbsent(PREFIX + key, value);
        }
        return carried.size() == headers.size() ? headers : Map.copyOf(carried);
    }

    /** Puts the carried entries of {@code headers} in this thread's MDC. */
    static void restore(Map<String, String> headers) {
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (header.getKey().startsWith(PREFIX)) {
                MDC.put(header.getKey().substring(PREFIX.length()), header.getValue());
            }
        }
    }
}
