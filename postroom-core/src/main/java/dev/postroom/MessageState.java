package dev.postroom;

/**
 * The life-cycle states of a message. Every transition between them is recorded on the
 * message's timeline with time, node, attempt and reason.
 *
 * <pre>
 * SCHEDULED → READY → IN_FLIGHT → SUCCEEDED
 *                              ↘ SCHEDULED (retry) | DEAD | CANCELLED
 * </pre>
 *
 * <p>Each state has a stable {@linkplain #code() code}, the number stores keep in their rows: it
 * never changes, whatever the order of the constants here.
 */
public enum MessageState {
    /** Waiting for its {@code notBefore} time (a delay, or the backoff before a retry). The engine moves it to READY when the time comes. */
    SCHEDULED(0),
    /** Available to be leased by a receiver. A claim moves it to IN_FLIGHT. */
    READY(1),
    /** Held by a receiver under a lease. Ack, nack, lease expiry or cancellation move it on. */
    IN_FLIGHT(2),
    /** Handled successfully. Final; removed after the queue's retention. */
    SUCCEEDED(3),
    /** Failed every allowed attempt, or expired (TTL). Kept with every attempt's error until an operator retries or deletes it. */
    DEAD(4),
    /** Cancelled by an operator or the sender. Final. */
    CANCELLED(5);

    private static final MessageState[] BY_CODE = byCode();

    private final int code;

    MessageState(int code) {
        this.code = code;
    }

    /** The number that stands for this state in stored rows; fixed forever, never the constant's position. */
    public int code() {
        return code;
    }

    /**
     * The state stored as {@code code}.
     *
     * @throws IllegalArgumentException when no state has that code (a damaged or newer row)
     */
    public static MessageState fromCode(int code) {
        if (code < 0 || code >= BY_CODE.length || BY_CODE[code] == null) {
            throw new IllegalArgumentException("no message state has the code " + code);
        }
        return BY_CODE[code];
    }

    private static MessageState[] byCode() {
        int max = 0;
        for (MessageState state : values()) {
            max = Math.max(max, state.code);
        }
        MessageState[] byCode = new MessageState[max + 1];
        for (MessageState state : values()) {
            if (byCode[state.code] != null) {
                throw new IllegalStateException(state + " and " + byCode[state.code] + " share the code " + state.code);
            }
            byCode[state.code] = state;
        }
        return byCode;
    }

    /** Whether no further transition happens without an operator (retry) or deletion. */
    public boolean isFinal() {
        return this == SUCCEEDED || this == DEAD || this == CANCELLED;
    }
}
