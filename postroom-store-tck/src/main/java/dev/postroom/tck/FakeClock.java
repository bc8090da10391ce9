package dev.postroom.tck;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that only moves when a test moves it. Thread-safe: the concurrency contract advances it
 * from several threads while others read it. Starts at {@link #START}, a fixed whole second, so
 * that every instant a test computes is exact at millisecond (SQLite) and microsecond (PostgreSQL)
 * precision.
 */
public final class FakeClock implements InstantSource {
    /** Where every fake clock starts unless told otherwise. */
    public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    private final AtomicReference<Instant> now;

    public FakeClock() {
        this(START);
    }

    public FakeClock(Instant start) {
        this.now = new AtomicReference<>(Objects.requireNonNull(start, "start"));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public long millis() {
        return now.get().toEpochMilli();
    }

    /**
     * Moves the clock forward; returns the new time.
     *
     * @throws IllegalArgumentException for a negative duration (use {@link #set} to go back on purpose)
     */
    public Instant advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("a fake clock only advances; use set() to go back, was " + duration);
        }
        return now.updateAndGet(t -> t.plus(duration));
    }

    /** Sets the clock to {@code instant}, forwards or backwards. */
    public void set(Instant instant) {
        now.set(Objects.requireNonNull(instant, "instant"));
    }

    @Override
    public String toString() {
        return "FakeClock[" + now.get() + "]";
    }
}
