package dev.postroom.store;

import java.time.Instant;

/**
 * Decides what a schedule's runs send and when it runs next; the engine supplies it (the store
 * knows no cron). Called by the store inside its transaction, so it must be quick and must not
 * touch the store.
 */
public interface SchedulePlanner {

    /** The run a due schedule ({@code nextRunAt <= now}) makes at {@code now}. Never throws. */
    ScheduleRun plan(StoredSchedule schedule, Instant now);

    /** The schedule's first run after {@code now}, or null if its cron never matches again. */
    Instant nextRun(StoredSchedule schedule, Instant now);
}
