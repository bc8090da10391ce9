package dev.postroom.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a bean method the handler of a queue. Postroom calls it for every message of the queue,
 * on a virtual thread, once the application is ready.
 * <pre>{@code
 * @PostroomListener(queue = "billing.refund")
 * Receipt refund(Refund refund, Delivery<Refund> delivery) {
 *     delivery.progress(50, "refunding");
 *     return payments.refund(refund.orderId(), refund.cents());
 * }
 * }</pre>
 *
 * <p>Parameters, in any order: at most one payload parameter (any type JSON can be read into:
 * records, collections, generic types); a {@link dev.postroom.Delivery} for the message's id,
 * attempt, headers, lease and progress; and {@link PostroomHeader}-annotated {@code String}s for
 * single headers. Without a payload parameter the payload type is the {@code Delivery}'s type
 * argument. A payload that cannot be read into the type is dead after one attempt, without the
 * method running.
 *
 * <p>The method's return value is stored as the message's result ({@code void} stores none). A
 * thrown exception fails the attempt, which is retried with the queue's backoff;
 * {@link dev.postroom.RetryLaterException} chooses the delay, and {@link dev.postroom.GiveUpException}
 * or an exception of a type listed in {@code postroom.non-retryable-exceptions} sends the message to
 * DEAD at once. Delivery is at-least-once: a method must tolerate seeing a message again.
 *
 * <p>A queue that does not exist is created with the policy of {@code postroom.queues.<name>}, or
 * the default policy. One listener per queue.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface PostroomListener {
    /** The queue to handle; {@code ${...}} placeholders are resolved from the environment. */
    String queue();
}
