package dev.postroom.store.jdbc;

import dev.postroom.MessageState;

import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Message states in SQL by name, never by number: a statement says {@code state = {READY}} or
 * {@code state IN ({UNFINISHED})}, and {@link #expand} puts in the states' stored
 * {@linkplain MessageState#code() codes}. Expand once, where a statement is defined, not per call.
 *
 * <p>Placeholders: one per state ({@code {SCHEDULED}}, {@code {READY}}, {@code {IN_FLIGHT}},
 * {@code {SUCCEEDED}}, {@code {DEAD}}, {@code {CANCELLED}}), {@code {WAITING}} for SCHEDULED and
 * READY (not yet handed out), and {@code {UNFINISHED}} for those and IN_FLIGHT.
 */
public final class StateSql {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Z_]+)}");

    private StateSql() {
    }

    /**
     * {@code sql} with every state placeholder replaced by its code.
     *
     * @throws IllegalArgumentException for a placeholder that names no state or group, so a typo
     *                                  fails when the class loads, not in a query
     */
    public static String expand(String sql) {
        Matcher matcher = PLACEHOLDER.matcher(sql);
        StringBuilder out = new StringBuilder(sql.length());
        while (matcher.find()) {
            matcher.appendReplacement(out, codesOf(matcher.group(1)));
        }
        return matcher.appendTail(out).toString();
    }

    /** The codes of {@code states} as a SQL list, e.g. {@code 0, 1}. */
    public static String codes(MessageState... states) {
        return Arrays.stream(states).map(s -> Integer.toString(s.code())).collect(Collectors.joining(", "));
    }

    private static String codesOf(String name) {
        return switch (name) {
            case "WAITING" -> codes(MessageState.SCHEDULED, MessageState.READY);
            case "UNFINISHED" -> codes(MessageState.SCHEDULED, MessageState.READY, MessageState.IN_FLIGHT);
            default -> {
                try {
                    yield codes(MessageState.valueOf(name));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("{" + name + "} names no message state in SQL", e);
                }
            }
        };
    }
}
