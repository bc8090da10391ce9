package dev.postroom;

/**
 * The W3C Trace Context headers (<a href="https://www.w3.org/TR/trace-context/">traceparent</a>)
 * that Postroom carries from a send to the handler, and reading the trace id out of one.
 */
public final class TraceHeaders {
    /** {@code version-traceid-parentid-flags}, e.g. {@code 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01}. */
    public static final String TRACEPARENT = "traceparent";
    /** Vendor-specific trace data that travels with {@link #TRACEPARENT}. */
    public static final String TRACESTATE = "tracestate";

    private static final int VERSION_00_LENGTH = 55;

    private TraceHeaders() {
    }

    /**
     * The trace id (32 lowercase hex digits) of a well-formed traceparent, or null for null or a
     * malformed value (wrong layout, upper-case hex, version {@code ff}, an all-zero trace or parent id).
     */
    public static String traceId(String traceparent) {
        if (traceparent == null || traceparent.length() < VERSION_00_LENGTH) {
            return null;
        }
        // Version 00 is exactly 55 characters; later versions may append fields after a dash.
        boolean version00 = traceparent.startsWith("00");
        if (version00 ? traceparent.length() != VERSION_00_LENGTH
                : traceparent.length() > VERSION_00_LENGTH && traceparent.charAt(VERSION_00_LENGTH) != '-') {
            return null;
        }
        if (traceparent.charAt(2) != '-' || traceparent.charAt(35) != '-' || traceparent.charAt(52) != '-') {
            return null;
        }
        String version = traceparent.substring(0, 2);
        String traceId = traceparent.substring(3, 35);
        String parentId = traceparent.substring(36, 52);
        String flags = traceparent.substring(53, 55);
        if (!hex(version) || version.equals("ff") || !hex(traceId) || !hex(parentId) || !hex(flags)
                || zeros(traceId) || zeros(parentId)) {
            return null;
        }
        return traceId;
    }

    private static boolean hex(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean zeros(String text) {
        return text.chars().allMatch(c -> c == '0');
    }
}
