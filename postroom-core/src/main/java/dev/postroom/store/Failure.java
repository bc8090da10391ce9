package dev.postroom.store;

import java.time.Duration;
import java.time.Instant;

/**
 * Nack of a leased message.
 *
 * @param errorMessage one line
 * @param errorDetail  stack trace or null
 * @param retryAfter   explicit delay before the retry, or null for the planner's backoff
 * @param giveUp       no retry whatever the attempts left: the message goes DEAD now (a handler said
 *                     so, or its payload cannot be decoded)
 * @param planner      backoff of the message's queue
 */
public record Failure(
        String id,
        String leaseId,
        String errorMessage,
        String errorDetail,
        Duration retryAfter,
        boolean giveUp,
        RetryPlanner planner,
        Instant now,
        String node) {
}
