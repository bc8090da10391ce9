package dev.postroom.store;

import dev.postroom.IllegalTransitionException;
import dev.postroom.MessageState;
import dev.postroom.TimelineEntry;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * What one transition turns a message into, decided here once for every store: the state it
 * enters, its attempt count and available-at time, the error it records and its timeline entry.
 * A store writes what it is told and decides nothing; the TCK checks that every store does.
 *
 * <p>Each legal transition has a named constructor, a pure function of its inputs (the caller
 * passes {@code now}; nothing here reads a clock or a database). Operator transitions check the
 * state the message is in and throw {@link IllegalTransitionException} where it may not move.
 *
 * @param to             the state entered
 * @param at             when (the engine's {@code now})
 * @param node           the node making the transition
 * @param reason         the timeline entry's reason
 * @param attempt        the attempt count to write, or null to keep the row's (transitions of
 *                       many rows at once, such as TTL expiry, keep each row's own)
 * @param availableAt    the new available-at time, or null to keep the row's
 * @param errorMessage   an error to append to the message's errors (one line), or null for none
 * @param errorDetail    its detail (a stack trace), or null
 * @param clearsProgress whether the message's progress is cleared (a failed attempt's progress
 *                       does not carry over to the next one)
 */
public record Transition(
        MessageState to,
        Instant at,
        String node,
        String reason,
        Integer attempt,
        Instant availableAt,
        String errorMessage,
        String errorDetail,
        boolean clearsProgress) {

    /** The states an operator may retry a message from. */
    public static final Set<MessageState> RETRYABLE = EnumSet.of(MessageState.DEAD, MessageState.CANCELLED, MessageState.SUCCEEDED);
    /** The states a message may be cancelled in: any unfinished one. */
    public static final Set<MessageState> CANCELLABLE = EnumSet.of(MessageState.SCHEDULED, MessageState.READY, MessageState.IN_FLIGHT);
    /** The states TTL expiry applies to: those not handed out yet (a held message is the holder's to settle). */
    public static final Set<MessageState> EXPIRABLE = EnumSet.of(MessageState.SCHEDULED, MessageState.READY);

    /** The reason of the first entry of every timeline. */
    public static final String SENT = "sent";
    /** The reason of the IN_FLIGHT entry a claim writes. */
    public static final String LEASED = "leased";
    /** The reason of the SUCCEEDED entry an ack writes. */
    public static final String ACKED = "acked";

    /** An ack: SUCCEEDED. */
    public static Transition acked(Instant now, String node) {
        return new Transition(MessageState.SUCCEEDED, now, node, ACKED, null, null, null, null, false);
    }

    /**
     * A nack of attempt {@code attempt}: another attempt after the failure's explicit delay or the
     * planner's backoff (SCHEDULED, or READY at once when the delay is not positive), or DEAD when
     * it was the last allowed attempt or the failure {@linkplain Failure#giveUp() gives up}.
     */
    public static Transition failed(String queue, int attempt, int maxAttempts, Failure failure) {
        if (failure.giveUp()) {
            return new Transition(MessageState.DEAD, failure.now(), failure.node(), "failed; not retryable", attempt, failure.now(),
                    failure.errorMessage(), failure.errorDetail(), true);
        }
        return attemptFailed(queue, attempt, maxAttempts, failure.errorMessage(), failure.errorDetail(), failure.retryAfter(),
                failure.planner(), failure.now(), failure.node(), "failed");
    }

    /** A lease that ended before its ack: a failed attempt like a nack, with the planner's backoff. */
    public static Transition leaseExpired(String queue, int attempt, int maxAttempts, RetryPlanner planner, Instant now, String node) {
        return attemptFailed(queue, attempt, maxAttempts, "lease expired", "the lease ended before the message was acked", null,
                planner, now, node, "lease expired");
    }

    private static Transition attemptFailed(String queue, int attempt, int maxAttempts, String error, String detail,
                                            Duration retryAfter, RetryPlanner planner, Instant now, String node, String reason) {
        if (attempt >= maxAttempts) {
            return new Transition(MessageState.DEAD, now, node, reason + "; attempts exhausted", attempt, now, error, detail, true);
        }
        Duration delay = retryAfter != null ? retryAfter : planner.retryDelay(queue, attempt);
        boolean atOnce = delay.isZero() || delay.isNegative();
        return new Transition(atOnce ? MessageState.READY : MessageState.SCHEDULED, now, node, reason + "; will retry",
                attempt, atOnce ? now : now.plus(delay), error, detail, true);
    }

    /**
     * A snooze of a held message of {@code queue} whose lease is attempt {@code attempt} and which was snoozed
     * {@code snoozedBefore} times: SCHEDULED after the delay (READY at once for none) with the
     * attempt given back, or, past the queue's limit, DEAD with an error saying so.
     */
    public static Transition snoozed(Snooze snooze, String queue, int attempt, int snoozedBefore) {
        int count = snoozedBefore + 1;
        int limit = snooze.limits().applyAsInt(queue);
        if (count > limit) {
            return new Transition(MessageState.DEAD, snooze.now(), snooze.node(), "snoozed too often", attempt, snooze.now(),
                    "snoozed too often", "snoozed " + snoozedBefore + " times, the queue's maxSnoozes; one more was asked for", true);
        }
        boolean atOnce = snooze.delay().isZero() || snooze.delay().isNegative();
        String reason = "snoozed" + (atOnce ? "" : " for " + snooze.delay().toMillis() / 1000.0 + " s") + " (" + count + " of "
                + limit + ")";
        return new Transition(atOnce ? MessageState.READY : MessageState.SCHEDULED, snooze.now(), snooze.node(), reason,
                attempt - 1, atOnce ? snooze.now() : snooze.now().plus(snooze.delay()), null, null, true);
    }

    /** TTL expiry of a message not handed out yet: DEAD, with an error saying so. See {@link #EXPIRABLE}. */
    public static Transition expired(Instant now, String node) {
        return new Transition(MessageState.DEAD, now, node, "expired (TTL)", null, null,
                "expired", "TTL elapsed before the message was delivered", false);
    }

    /** A SCHEDULED message whose time came: READY. */
    public static Transition due(Instant now, String node) {
        return new Transition(MessageState.READY, now, node, "due", null, null, null, null, false);
    }

    /**
     * A held workflow step released by its workflow: READY now. {@code reason} says why (the steps
     * it followed succeeded, or ended for a step that runs on failure).
     */
    public static Transition released(Instant now, String node, String reason) {
        return new Transition(MessageState.READY, now, node, reason, null, now, null, null, false);
    }

    /**
     * A pending debounced message that a later send with its key went into: its start moves to
     * {@code availableAt} (SCHEDULED, or READY when that is not after {@code now}); the store writes
     * the later send's payload and headers with it.
     */
    public static Transition debounced(Instant now, String node, Instant availableAt) {
        return new Transition(availableAt.isAfter(now) ? MessageState.SCHEDULED : MessageState.READY, now, node,
                "debounced: payload replaced by a later send", null, availableAt, null, null, false);
    }

    /** An operator's redrive of a DEAD message: READY now, its attempts counted afresh. */
    public static Transition redriven(Instant now, String node) {
        return new Transition(MessageState.READY, now, node, "redriven", 0, now, null, null, false);
    }

    /**
     * An operator's retry of a finished message: READY now, its attempts counted afresh.
     *
     * @throws IllegalTransitionException when {@code current} is not one of {@link #RETRYABLE}
     */
    public static Transition retried(MessageAction action, MessageState current) {
        require(action, current, RETRYABLE, "retry");
        return new Transition(MessageState.READY, action.now(), action.node(), action.reason(), 0, action.now(), null, null, false);
    }

    /**
     * A cancel by an operator or the sender: CANCELLED, final.
     *
     * @throws IllegalTransitionException when {@code current} is not one of {@link #CANCELLABLE}
     */
    public static Transition cancelled(MessageAction action, MessageState current) {
        require(action, current, CANCELLABLE, "cancel");
        return new Transition(MessageState.CANCELLED, action.now(), action.node(), action.reason(), null, null, null, null, false);
    }

    private static void require(MessageAction action, MessageState current, Set<MessageState> from, String verb) {
        if (!from.contains(current)) {
            throw new IllegalTransitionException(action.id(), current, verb);
        }
    }

    /**
     * This transition with the attempt count written as {@code attempt} where it would keep the
     * row's: for a store that keeps the count of a held message outside its row (the embedded
     * store's leases live in memory).
     */
    public Transition withAttempt(int attempt) {
        return this.attempt != null ? this
                : new Transition(to, at, node, reason, attempt, availableAt, errorMessage, errorDetail, clearsProgress);
    }

    /** The timeline entry of this transition, for a message whose attempt count is then {@code rowAttempt}. */
    public TimelineEntry entry(int rowAttempt) {
        return new TimelineEntry(at, to, node, attempt != null ? attempt : rowAttempt, reason);
    }
}
