package dev.postroom.engine;

import dev.postroom.Backoff;
import dev.postroom.store.RetryPlanner;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * The engine's {@link RetryPlanner}: the queue's {@link Backoff} with ±20% jitter, so that a burst
 * of failures (an external API down) does not come back as one burst.
 */
public final class RetrySchedule implements RetryPlanner {
    private final QueueCatalog catalog;
    private final RandomGenerator random;

    public RetrySchedule(QueueCatalog catalog, RandomGenerator random) {
        this.catalog = catalog;
        this.random = random;
    }

    @Override
    public Duration retryDelay(String queue, int attempt) {
        Backoff backoff = catalog.find(queue).map(q -> q.policy().backoff()).orElse(Backoff.DEFAULT);
        return jittered(backoff, attempt, random.nextDouble());
    }

    /** {@code base × (0.8 + 0.4 × unit)}, never above the backoff's max. */
    public static Duration jittered(Backoff backoff, int attempt, double unit) {
        long base = backoff.baseDelay(attempt).toMillis();
        long jittered = Math.round(base * (0.8 + 0.4 * unit));
        return Duration.ofMillis(Math.min(jittered, backoff.max().toMillis()));
    }
}
