package dev.postroom;

/**
 * Handles messages of one queue, registered with {@link Postroom#handle}. Runs on a virtual
 * thread. Returning normally acks the message and stores the returned value (if not null) as its
 * JSON result; throwing fails the attempt, which is retried with backoff until the queue's
 * {@code maxAttempts}, then the message is dead. Delivery is at-least-once: a handler must
 * tolerate seeing the same message again.
 *
 * @param <T> the payload type, decoded from JSON with Jackson
 */
@FunctionalInterface
public interface Handler<T> {
    /**
     * Handles one delivery.
     *
     * @return a result to store, or null
     * @throws Exception to fail this attempt
     */
    Object handle(Delivery<T> delivery) throws Exception;
}
