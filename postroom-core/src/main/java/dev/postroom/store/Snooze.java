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
}
