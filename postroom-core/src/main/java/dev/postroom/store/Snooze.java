package dev.postroom.store;

import java.time.Duration;
import java.time.Instant;

/**
 * A snooze of a leased message ({@link MessageStore#snooze}): "not yet", without spending an attempt.
 *
 * @param id         the message
 * @param leaseId    its current lease
 * @param delay      how long until it is READY again (zero: at once)
 * @param limits     each queue's {@link dev.postroom.QueuePolicy#snoozeLimit()}: the snooze after that many ends it DEAD
 * @param now        when
 * @param node       the node snoozing it
 */
public record Snooze(String id, String leaseId, Duration delay, java.util.function.ToIntFunction<String> limits, Instant now, String node) {
    /** The longest snooze: longer is almost surely a unit mistake, and would overflow stored times. */
    private static final Duration MAX_DELAY = Duration.ofDays(3653);

    /**
     * Checks a snooze's delay, for every way of asking for one.
     *
     * @throws dev.postroom.InvalidMessageException naming {@code delay} for a negative one or one over 10 years
     */
    public static void requireDelay(Duration delay) {
        if (delay == null || delay.isNegative() || delay.compareTo(MAX_DELAY) > 0) {
            throw new dev.postroom.InvalidMessageException("delay", "must be 0 to 10 years, was " + delay);
        }
    }
}
