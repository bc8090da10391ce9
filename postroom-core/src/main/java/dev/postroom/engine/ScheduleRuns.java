package dev.postroom.engine;

import dev.postroom.SendOptions;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What makes a schedule's run a message: the two headers it carries, its idempotency key, and
 * how late a run may be sent. Defined here so that the runner and the {@code Schedules} API read
 * one definition (the API republishes the constants).
 */
public final class ScheduleRuns {
    /** How overdue a run may be and still be sent as usual; beyond it, a missed run. One minute, as Quartz's default misfire threshold. */
    public static final Duration LATE_AFTER = Duration.ofMinutes(1);
    /** The header naming the schedule on every run's message. */
    public static final String SCHEDULE_HEADER = "postroom.schedule";
    /** The header giving the run time (RFC 3339, UTC) on every run's message. */
    public static final String RUN_AT_HEADER = "postroom.runAt";

    private ScheduleRuns() {
    }

    /** The headers and idempotency key the message of the run at {@code runAt} carries. */
    public static SendOptions options(String schedule, Map<String, String> headers, Instant runAt) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put(SCHEDULE_HEADER, schedule);
        all.put(RUN_AT_HEADER, runAt.toString());
        return SendOptions.builder().headers(all).idempotencyKey(idempotencyKey(schedule, runAt)).build();
    }

    /** {@code schedule:<name>:<run time>}: a second guard (after the store's row lock) against sending one run twice. */
    static String idempotencyKey(String schedule, Instant runAt) {
        return "schedule:" + schedule + ":" + runAt;
    }
}
