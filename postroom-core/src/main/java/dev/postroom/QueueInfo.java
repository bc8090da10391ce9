package dev.postroom;

import java.time.Duration;
import java.time.Instant;

/**
 * A queue with its policy, pause flag and per-state counts.
 *
 * @param oldestReadyAt since when the queue's longest-waiting READY (not leased) message has been
 *                      ready to deliver, or null when none is ready; see
 *                      {@link dev.postroom.store.MessageStore#oldestReady}
 */
public record QueueInfo(String name, QueuePolicy policy, boolean paused, StateCounts counts, Instant oldestReadyAt) {

    /** How long the oldest READY message has waited at {@code now}: zero when none is ready. */
    public Duration oldestReadyAge(Instant now) {
        if (oldestReadyAt == null || !oldestReadyAt.isBefore(now)) {
            return Duration.ZERO;
        }
        return Duration.between(oldestReadyAt, now);
    }
}
