package dev.postroom.engine;

import dev.postroom.InvalidMessageException;

import java.util.regex.Pattern;

/** The rule for queue (and topic, schedule) names: {@code [A-Za-z0-9._-]{1,128}}. */
public final class QueueNames {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private QueueNames() {
    }

    /** Throws {@link InvalidMessageException} for {@code field} unless {@code name} is valid. */
    public static String require(String field, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidMessageException(field, "must match [A-Za-z0-9._-]{1,128}, was " + quote(name));
        }
        return name;
    }

    private static String quote(String name) {
        if (name == null) {
            return "null";
        }
        return '"' + (name.length() > 40 ? name.substring(0, 40) + "…" : name) + '"';
    }
}
