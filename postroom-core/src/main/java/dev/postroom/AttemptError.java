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
}
