package dev.postroom.server.http;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Lets one occurrence of an event be logged per interval and counts the ones it holds back, so
 * that an outage of the store writes a line every few seconds instead of one (with its stack
 * trace) per refused request. The metrics still count every occurrence.
 */
final class LogThrottle {
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private long lastLoggedAt;
    private boolean loggedOnce;
    private long heldBack;

    LogThrottle(Duration interval, LongSupplier nanoTime) {
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
    }

    /** -1 when this occurrence is not to be logged; otherwise how many were held back since the last one logged. */
    synchronized long admit() {
        long now = nanoTime.getAsLong();
        if (loggedOnce && now - lastLoggedAt < intervalNanos) {
            heldBack++;
            return -1;
        }
        loggedOnce = true;
        lastLoggedAt = now;
        long held = heldBack;
        heldBack = 0;
        return held;
    }
}
