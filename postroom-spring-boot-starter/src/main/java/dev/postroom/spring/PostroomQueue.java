package dev.postroom.spring;

import dev.postroom.QueuePolicy;

import java.util.Objects;

/**
 * A queue that the auto-configured {@code Postroom} creates at start-up, or whose policy it
 * updates when the queue exists: the bean form of {@code postroom.queues.*}, for policies built in
 * code. A queue named both here and in {@code postroom.queues} gets the properties' policy.
 * <pre>{@code
 * @Bean
 * PostroomQueue refunds() {
 *     return new PostroomQueue("billing.refund", QueuePolicy.DEFAULT.withMaxAttempts(3));
 * }
 * }</pre>
 *
 * @param name   the queue's name
 * @param policy its policy, validated by Postroom at start-up
 */
public record PostroomQueue(String name, QueuePolicy policy) {
    public PostroomQueue {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(policy, "policy");
    }
}
