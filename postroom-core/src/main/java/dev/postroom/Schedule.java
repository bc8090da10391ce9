package dev.postroom;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;

/**
 * A schedule as it stands: its definition, whether it is paused, and when it runs next and ran
 * last.
 *
 * @param cron          the cron expression: five fields (minute hour day-of-month month
 *                      day-of-week) or six with a leading seconds field
 * @param timezone      the zone the expression is read in
 * @param payloadJson   the JSON payload every run sends
 * @param headers       the headers every run's message carries (besides the two Postroom adds,
 *                      see {@link Schedules#SCHEDULE_HEADER} and {@link Schedules#RUN_AT_HEADER})
 * @param nextRunAt     when it runs next; null while paused
 * @param lastRunAt     the run time of the last message it sent, or null if it never sent one
 * @param lastMessageId the id of that message, or null
 */
public record Schedule(
        String name,
        String cron,
        ZoneId timezone,
        String queue,
        String payloadJson,
        Map<String, String> headers,
        MissedRuns missedRuns,
        boolean paused,
        Instant nextRunAt,
        Instant lastRunAt,
        String lastMessageId,
        Instant createdAt,
        Instant updatedAt) {

    public Schedule {
        headers = Map.copyOf(headers);
    }
}
