package dev.postroom;

/**
 * The outcome of a durable send.
 *
 * @param id        the message id (a UUIDv7 string, time-sortable)
 * @param state     the state it was stored in ({@code READY} or {@code SCHEDULED})
 * @param duplicate true when an earlier message with the same idempotency key was found; {@code id}
 *                  and {@code state} are then the earlier message's
 * @param debounced true when the send went into the pending message of its debounce key; {@code id}
 *                  and {@code state} are then that message's (see {@link Debounce})
 */
public record SendResult(String id, MessageState state, boolean duplicate, boolean debounced) {
    /** A result that was not debounced. */
    public SendResult(String id, MessageState state, boolean duplicate) {
        this(id, state, duplicate, false);
    }
}
