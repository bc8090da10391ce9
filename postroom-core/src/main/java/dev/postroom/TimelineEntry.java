package dev.postroom;

import java.time.Instant;

/**
 * One transition of a message.
 *
 * @param at      when it happened
 * @param state   the state entered
 * @param node    the node that made the transition
 * @param attempt the attempt number at that moment (0 before the first delivery)
 * @param reason  why, in a few words (e.g. {@code sent}, {@code leased}, {@code acked}, {@code lease expired})
 */
public record TimelineEntry(Instant at, MessageState state, String node, int attempt, String reason) {
    /**
     * About the most entries a message's timeline keeps, whatever its {@code maxAttempts}: past it
     * the oldest but the first ({@code sent}) are dropped, so the start and the latest history stay.
     */
    public static final int MAX_KEPT = 100;
}
