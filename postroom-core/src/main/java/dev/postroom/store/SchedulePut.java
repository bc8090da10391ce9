package dev.postroom.store;

import dev.postroom.MissedRuns;

import java.time.Instant;
import java.util.Map;

/**
 * Creates a schedule or replaces its definition. The engine has validated everything and computed
 * {@code nextRunAt} (the first run after {@code now}); the store checks, in the same transaction as
 * the write, that {@code queue} exists ({@link dev.postroom.QueueNotFoundException} otherwise), and
 * stores what {@link #applyTo} makes of the row it replaces.
 *
 * @param paused null keeps the existing schedule's state (a new schedule runs)
 */
public record SchedulePut(
        String name,
        String cron,
        String timezone,
        String queue,
        String payloadJson,
        Map<String, String> headers,
        MissedRuns missedRuns,
        Boolean paused,
        Instant nextRunAt,
        Instant now) {

    public SchedulePut {
        headers = Map.copyOf(headers);
    }

    /**
     * The row to store in place of {@code existing} (null when there is none). The run history
     * (last run, last message, creation time) is kept. The next run is kept too when the cron,
     * the zone and the paused state are unchanged, so that re-putting the same definition neither
     * drops a due run nor lets its missed-run policy be bypassed; otherwise it is {@link #nextRunAt},
     * or null while paused.
     */
    public StoredSchedule applyTo(StoredSchedule existing) {
        boolean pausedNow = paused != null ? paused : existing != null && existing.paused();
        Instant next;
        if (pausedNow) {
            next = null;
        } else if (existing != null && !existing.paused() && existing.nextRunAt() != null
                && existing.cron().equals(cron) && existing.timezone().equals(timezone)) {
            next = existing.nextRunAt();
        } else {
            next = nextRunAt;
        }
        return new StoredSchedule(name, cron, timezone, queue, payloadJson, headers, missedRuns, pausedNow, next,
                existing == null ? null : existing.lastRunAt(), existing == null ? null : existing.lastMessageId(),
                existing == null ? now : existing.createdAt(), now);
    }
}
