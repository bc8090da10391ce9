package dev.postroom;

/**
 * A {@link Handler} for work that has no result, registered with {@link Postroom#consume}.
 * Returning acks the message; throwing fails the attempt, which is retried with the queue's
 * backoff (or as {@link RetryLaterException} and {@link GiveUpException} ask).
 *
 * @param <T> the payload type
 */
@FunctionalInterface
public interface MessageConsumer<T> {
    /**
     * Handles one delivery.
     *
     * @throws Exception to fail this attempt
     */
    void consume(Delivery<T> delivery) throws Exception;
}
