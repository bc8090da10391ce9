package dev.postroom;

import java.time.Instant;

/**
 * The error of one failed attempt.
 *
 * @param attempt the attempt that failed
 * @param at      when it failed
 * @param message a one-line message
 * @param detail  a stack trace or longer explanation; may be null
 */
public record AttemptError(int attempt, Instant at, String message, String detail) {
    /** The longest one-line message an attempt's error keeps, in characters. */
    public static final int MAX_MESSAGE_CHARS = 2_000;
    /** The longest detail an attempt's error keeps, in characters. */
    public static final int MAX_DETAIL_CHARS = 65_536;
    /**
     * About the most errors a message keeps, whatever its {@code maxAttempts}: past it the oldest
     * but the first are dropped, so the first failure and the latest ones stay.
     */
    public static final int MAX_KEPT = 25;
}
