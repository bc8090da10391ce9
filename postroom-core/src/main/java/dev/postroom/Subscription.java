package dev.postroom;

import java.time.Instant;

/**
 * One subscription of a topic: every message published to {@code topic} whose headers match
 * {@code filter} is copied to {@code queue}, where it is an ordinary message of that queue.
 *
 * @param createdAt when the subscription was first made (replacing its queue or filter keeps it)
 */
public record Subscription(String topic, String name, String queue, SubscriptionFilter filter, Instant createdAt) {
}
