package dev.postroom.store;

import java.time.Instant;

/**
 * What a {@link ScheduleStore#fireDue} pass did with one due schedule.
 *
 * @param runAt     the run time of the message sent, or null when none was
 * @param sent      the send's outcome (a repeat of the run's idempotency key is {@code duplicate}), or
 *                  null when nothing was sent
 * @param note      why nothing was sent, or null
 * @param nextRunAt when the schedule runs next
 */
public record ScheduleFiring(String schedule, String queue, Instant runAt, SendOutcome sent, String note, Instant nextRunAt) {
}
