package dev.postroom;

import java.time.Duration;

/**
 * Options of a pull {@link Postroom#receive}.
 *
 * @param max     at most this many messages (1–100)
 * @param waitFor long-poll: wait up to this long for a first message (0–20 s)
 * @param lease   lease length; null for the queue's policy
 */
public record ReceiveOptions(int max, Duration waitFor, Duration lease) {
    /** One message, no wait, the queue's lease. */
    public static final ReceiveOptions DEFAULTS = new ReceiveOptions(1, Duration.ZERO, null);
}
