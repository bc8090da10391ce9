package dev.postroom.store;

import dev.postroom.MissedRuns;

import java.time.Instant;
import java.util.Map;

/**
 * A schedule as stored: its definition as the engine validated it, and its run state.
 *
 * @param cron          the expression as given (five or six fields); the engine parses it
 * @param timezone      a zone id {@link java.time.ZoneId#of} accepts
 * @param nextRunAt     when the next run is due; null while paused (a paused schedule is never due)
 * @param lastRunAt     the run time of the last message sent, or null
 * @param lastMessageId that message's id, or null
 */
public record StoredSchedule(
        String name,
        String cron,
        String timezone,
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

    public StoredSchedule {
        headers = Map.copyOf(headers);
    }

    /** This schedule with its run state changed. */
    StoredSchedule withRunState(boolean paused, Instant nextRunAt, Instant lastRunAt, String lastMessageId, Instant updatedAt) {
        return new StoredSchedule(name, cron, timezone, queue, payloadJson, headers, missedRuns, paused, nextRunAt,
                lastRunAt, lastMessageId, createdAt, updatedAt);
    }

    @Override
    public String toString() {
        return "StoredSchedule[" + name + ", cron=" + cron + ", timezone=" + timezone + ", queue=" + queue
                + ", paused=" + paused + ", nextRunAt=" + nextRunAt + ", lastRunAt=" + lastRunAt + "]";
    }
}
