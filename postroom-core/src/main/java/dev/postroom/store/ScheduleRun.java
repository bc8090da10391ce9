package dev.postroom.store;

import java.time.Instant;

/**
 * What one due schedule does in a {@link ScheduleStore#fireDue} pass: send {@code message} (stamped
 * with {@code runAt}), or send nothing and say why in {@code note}; either way it runs next at
 * {@code nextRunAt}.
 *
 * @param runAt     the run time the message stands for; null when nothing is sent
 * @param message   the message to store, in the same transaction as the schedule's update; null for none
 * @param nextRunAt the next run, or null if the cron never matches again
 * @param note      why nothing was sent (runs missed and skipped, a message that no longer fits the
 *                  limits), or null
 */
public record ScheduleRun(Instant runAt, NewMessage message, Instant nextRunAt, String note) {

    /** A run that sends {@code message}. */
    public static ScheduleRun send(Instant runAt, NewMessage message, Instant nextRunAt) {
        return new ScheduleRun(runAt, message, nextRunAt, null);
    }

    /** A run that sends nothing, for {@code reason}. */
    public static ScheduleRun skip(Instant nextRunAt, String reason) {
        return new ScheduleRun(null, null, nextRunAt, reason);
    }

    /**
     * The schedule after this run: the next run advanced and, when {@code sent} stored (or found) a
     * message, that message as the last run.
     */
    public StoredSchedule applyTo(StoredSchedule schedule, SendOutcome sent) {
        return sent == null
                ? schedule.withRunState(false, nextRunAt, schedule.lastRunAt(), schedule.lastMessageId(), schedule.updatedAt())
                : schedule.withRunState(false, nextRunAt, runAt, sent.id(), schedule.updatedAt());
    }
}
