package dev.postroom.server.logging;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The environment variables that the server's {@code logback.xml} reads, checked before the first
 * logger: logback would take a misspelt format for a missing appender and log nothing at all, and
 * an unknown level for DEBUG.
 * <ul>
 *   <li>{@code POSTROOM_LOG_FORMAT}: {@code text} (the default; ISO-8601 UTC time, level, thread,
 *       logger, message, MDC) or {@code json} (one object per line, logback's {@code JsonEncoder});</li>
 *   <li>{@code POSTROOM_REQUEST_LOG}: {@code on} (the default) or {@code off}, the one line per HTTP
 *       request;</li>
 *   <li>{@code POSTROOM_LOG_LEVEL}: {@code off}, {@code error}, {@code warn}, {@code info} (the default),
 *       {@code debug} or {@code trace}.</li>
 * </ul>
 * The format is the name of an appender, so it must be lower case; the others are logback levels,
 * which take any case.
 */
public final class LogSettings {
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "POSTROOM_LOG_FORMAT", Set.of("text", "json"),
            "POSTROOM_REQUEST_LOG", Set.of("on", "off"),
            "POSTROOM_LOG_LEVEL", Set.of("off", "error", "warn", "info", "debug", "trace"));

    private LogSettings() {
    }

    /**
     * The first of the variables set in {@code env} to a value that is not allowed, as a sentence
     * naming the variable, the value and the allowed ones; empty when all are fine.
     */
    public static Optional<String> problem(Map<String, String> env) {
        return ALLOWED.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .filter(allowed -> env.containsKey(allowed.getKey()) && !allowed.getValue().contains(comparable(allowed.getKey(), env.get(allowed.getKey()))))
                .map(allowed -> allowed.getKey() + "=" + env.get(allowed.getKey()) + " is not one of "
                        + allowed.getValue().stream().sorted().toList())
                .findFirst();
    }

    private static String comparable(String variable, String value) {
        return variable.equals("POSTROOM_LOG_FORMAT") ? value : value.toLowerCase(java.util.Locale.ROOT);
    }
}
