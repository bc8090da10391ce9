package dev.postroom.store;

import java.time.Instant;

/**
 * A {@link ScheduleStore#fireDue} pass: at most {@code max} schedules due at {@code now} (not paused,
 * {@code nextRunAt <= now}), earliest first, each planned by {@code planner}; sends are recorded as
 * made by {@code node}.
 */
public record ScheduleFire(Instant now, String node, SchedulePlanner planner, int max) {
}
