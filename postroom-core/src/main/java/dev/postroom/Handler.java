package dev.postroom;

/**
 * Handles messages of one queue, registered with {@link Postroom#handle}. Runs on a virtual
 * thread. Returning normally acks the message and stores the returned value (if not null) as its
 * JSON result; for work without a result, register a {@link MessageConsumer} instead. Throwing
 * fails the attempt, which is retried with backoff until the queue's {@code maxAttempts}, then the
 * message is dead; throw {@link RetryLaterException} to choose the delay, or {@link GiveUpException}
 * to make it dead now. A payload that cannot be decoded into the handler's type is dead after one
 * attempt without the handler running. The handler's SLF4J MDC holds {@code messageId},
 * {@code queue}, {@code attempt} and the sender's MDC entries. Delivery is at-least-once: a handler
 * must tolerate seeing the same message again.
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
