package dev.postroom;

import java.util.Arrays;

/**
 * What a {@linkplain Schedule schedule} does about runs it missed, for example while every node
 * was down. A run counts as missed once it is {@link Schedules#LATE_AFTER} or more overdue; a run
 * only a little late (a slow maintenance pass, a short restart) is sent as usual.
 */
public enum MissedRuns {
    /** Missed runs are dropped; the schedule continues with its first run after now. The default. */
    SKIP("skip"),
    /**
     * One catch-up message is sent for all the missed runs together, stamped with the latest of
     * them; then the schedule continues with its first run after now.
     */
    RUN_ONCE("runOnce");

    private final String wireName;

    MissedRuns(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in the HTTP API and the store: {@code skip} or {@code runOnce}. */
    public String wireName() {
        return wireName;
    }

    /**
     * The policy named {@code name} ({@code skip} or {@code runOnce}; the constant names are
     * accepted too).
     *
     * @throws InvalidMessageException naming {@code field} for anything else
     */
    public static MissedRuns parse(String field, String name) {
        for (MissedRuns policy : values()) {
            if (policy.wireName.equals(name) || policy.name().equals(name)) {
                return policy;
            }
        }
        throw new InvalidMessageException(field, "must be one of " + Arrays.stream(values()).map(MissedRuns::wireName).toList()
                + ", was " + (name == null ? "null" : "\"" + name + "\""));
    }
}
