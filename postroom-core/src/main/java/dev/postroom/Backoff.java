package dev.postroom;

import java.time.Duration;

/**
 * Exponential backoff between attempts: the n-th retry waits {@code initial × multiplier^(n-1)},
 * capped at {@code max}, then scaled by a random factor in [0.8, 1.2) so that messages failing
 * together do not retry together.
 *
 * @param initial    delay before the first retry (default 1 s)
 * @param max        the longest delay (default 10 min)
 * @param multiplier growth per attempt, at least 1 (default 2)
 */
public record Backoff(Duration initial, Duration max, double multiplier) {
    /** 1 s, doubling, at most 10 minutes. */
    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(10), 2.0);

    /** The delay before the retry that follows failed attempt {@code attempt} (1-based), before jitter. */
    public Duration baseDelay(int attempt) {
        double millis = initial.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        return Duration.ofMillis((long) Math.min(millis, max.toMillis()));
    }
}
