package dev.postroom;

import java.time.Duration;
import java.util.Objects;

/**
 * Thrown by a handler to fail this attempt and retry after a delay it chooses instead of the
 * queue's backoff: a partner answered "429, retry in 30 seconds", or a resource is locked until a
 * known time. The attempt still counts, so a message that never succeeds still ends DEAD after the
 * queue's {@code maxAttempts}.
 * <pre>{@code
 * throw new RetryLaterException(Duration.ofSeconds(30), "payment provider rate limited us");
 * }</pre>
 */
public class RetryLaterException extends RuntimeException {
    private final Duration delay;

    /**
     * @param delay how long to wait before the next attempt; zero retries at once
     * @throws IllegalArgumentException when {@code delay} is negative
     */
    public RetryLaterException(Duration delay, String message) {
        this(delay, message, null);
    }

    public RetryLaterException(Duration delay, String message, Throwable cause) {
        super(message, cause);
        this.delay = Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, was " + delay);
        }
    }

    /** How long to wait before the next attempt. */
    public Duration delay() {
        return delay;
    }
}
