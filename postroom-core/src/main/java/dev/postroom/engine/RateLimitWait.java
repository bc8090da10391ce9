package dev.postroom.engine;

import dev.postroom.store.MessageStore;

import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;

/**
 * How long an idle consumer of a rate-limited queue sleeps: until the store says the limit lets
 * the next message out ({@link MessageStore#rateLimitedUntil}), so it neither polls hard while the
 * limit holds nor sleeps through the moment it lifts. No signal comes when a rate window moves on,
 * so this deadline is the wake-up.
 */
public final class RateLimitWait {
    private static final long MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private RateLimitWait() {
    }

    /** {@code nanos}, or less if the queue's rate limit lifts sooner (at least 1 ms). */
    public static long atMost(MessageStore store, String queue, InstantSource clock, long nanos) {
        return store.rateLimitedUntil(queue)
                .map(until -> Duration.between(clock.instant(), until).toNanos())
                .map(n -> Math.max(MIN_NANOS, Math.min(n, nanos)))
                .orElse(nanos);
    }
}
