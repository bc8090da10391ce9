package dev.postroom.store;

import java.time.Instant;

/**
 * Pauses or resumes a schedule. The store reads the row under a lock (a schedule that does not
 * exist is a {@link dev.postroom.ScheduleNotFoundException}) and stores what {@link #applyTo} makes of it.
 */
public record ScheduleToggle(String name, boolean paused, Instant now, SchedulePlanner planner) {

    /**
     * The schedule after the toggle: pausing clears the next run; resuming a paused schedule
     * computes its next run from {@code now} (runs missed while paused are not made up); toggling
     * to the state it has already changes nothing.
     */
    public StoredSchedule applyTo(StoredSchedule existing) {
        if (existing.paused() == paused) {
            return existing;
        }
        Instant next = paused ? null : planner.nextRun(existing, now);
        return existing.withRunState(paused, next, existing.lastRunAt(), existing.lastMessageId(), now);
    }
}
