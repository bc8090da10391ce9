package dev.postroom.server.http;

import dev.postroom.InvalidMessageException;

import java.util.Map;

/**
 * The HTTP API's names for the fields the Java API names in its exceptions. Durations travel as
 * numbers with their unit in the name ({@code leaseSeconds}), so the Java field {@code lease} is
 * {@code leaseSeconds} on the wire, and {@code messages[2].delay} is {@code messages[2].delaySeconds}.
 * Names with no entry are the same in both. Used for problem+json and for the console's forms,
 * whose inputs carry the wire names.
 */
public final class WireNames {
    /** Java name (a whole field, or the last segments of one) → wire name. */
    private static final Map<String, String> SUFFIXES = Map.ofEntries(
            Map.entry("lease", "leaseSeconds"),
            Map.entry("waitFor", "waitSeconds"),
            Map.entry("delay", "delaySeconds"),
            Map.entry("ttl", "ttlSeconds"),
            Map.entry("retryAfter", "retryAfterSeconds"),
            Map.entry("maxRun", "maxRunSeconds"),
            Map.entry("retention", "retentionHours"),
            Map.entry("archive", "archiveHours"),
            Map.entry("deadRetention", "deadRetentionHours"),
            Map.entry("backoff.initial", "backoff.initialSeconds"),
            Map.entry("backoff.max", "backoff.maxSeconds"),
            Map.entry("rateLimit.per", "rateLimit.perSeconds"),
            Map.entry("debounce.key", "debounceKey"),
            Map.entry("debounce.window", "debounceSeconds"),
            Map.entry("debounce.maxWait", "debounceMaxWaitSeconds"),
            Map.entry("debounce", "debounceKey"));
    /** Java names that differ only as a whole field. */
    private static final Map<String, String> WHOLE = Map.of("text", "q");

    private WireNames() {
    }

    /** The wire name of the Java field {@code field}. */
    public static String of(String field) {
        if (field == null) {
            return null;
        }
        String whole = WHOLE.get(field);
        if (whole != null) {
            return whole;
        }
        for (Map.Entry<String, String> entry : SUFFIXES.entrySet()) {
            String suffix = entry.getKey();
            if (field.equals(suffix)) {
                return entry.getValue();
            }
            if (field.endsWith("." + suffix)) {
                return field.substring(0, field.length() - suffix.length()) + entry.getValue();
            }
        }
        return field;
    }

    /** The exception's field, by its wire name. */
    public static String field(InvalidMessageException e) {
        return of(e.field());
    }

    /** What went wrong, without the field's name in front ({@code must be 1–43200 seconds, was 0}). */
    public static String problem(InvalidMessageException e) {
        String prefix = e.field() + ": ";
        return e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
    }

    /** The exception's message, naming its field by the wire name. */
    public static String message(InvalidMessageException e) {
        return field(e) + ": " + problem(e);
    }
}
