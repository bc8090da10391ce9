package dev.postroom.store;

import java.time.Duration;

/** Decides how long a failed message waits before its next attempt; the engine supplies it. */
@FunctionalInterface
public interface RetryPlanner {
    /** The delay after failed attempt {@code attempt} (1-based) of a message of {@code queue}. */
    Duration retryDelay(String queue, int attempt);
}
