package dev.postroom;

/**
 * Thrown by a handler to give up on a message now: it goes to DEAD after this attempt, whatever
 * attempts its queue still allows, with this exception as its error. For failures no retry can
 * fix: the order no longer exists, the input is invalid. An operator can still redrive it from the
 * console once the cause is fixed.
 * <pre>{@code
 * Order order = orders.find(id).orElseThrow(() -> new GiveUpException("order " + id + " does not exist"));
 * }</pre>
 * Exceptions of the types given to {@link Postroom.Builder#nonRetryable} are treated the same way.
 */
public class GiveUpException extends RuntimeException {
    public GiveUpException(String message) {
        super(message);
    }

    public GiveUpException(String message, Throwable cause) {
        super(message, cause);
    }
}
