package dev.postroom.engine;

import dev.postroom.store.MessageStore;
import dev.postroom.store.StoreUnavailableException;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * How long a consumer that found nothing sleeps before it claims again, unless a send or a freed
 * key wakes it first ({@link QueueSignals}): until the queue's next delayed message is due, or its
 * rate limit lets one more through, and at most {@code cap}. Handlers' dispatchers and long-poll
 * receives share it, so neither asks the store more often than something can have changed.
 */
public final class IdleWait {
    /** Longest idle sleep: bounds how late a change no signal announces is seen. */
    public static final long MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private IdleWait() {
    }

    /** The sleep for an idle consumer of {@code queue}, at most {@code cap} nanoseconds. */
    public static long nanos(MessageStore store, String queue, InstantSource clock, long cap) {
        Optional<Instant> due;
        try {
            due = store.nextDue(queue);
        } catch (StoreUnavailableException e) {
            return cap; // the database is away: the next claim meets it too, and says so
        }
        long nanos = due
                .map(at -> Duration.between(clock.instant(), at))
                // Compared as durations: a due time years away would overflow nanoseconds.
                .map(d -> d.compareTo(Duration.ofNanos(cap)) >= 0 ? cap : Math.max(MIN_NANOS, d.toNanos()))
                .orElse(cap);
        try {
            return RateLimitWait.atMost(store, queue, clock, nanos);
        } catch (StoreUnavailableException e) {
            return nanos;
        }
    }
}
