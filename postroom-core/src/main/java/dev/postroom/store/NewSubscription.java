package dev.postroom.store;

import dev.postroom.SubscriptionFilter;

import java.time.Instant;

/** A validated subscription to store; {@code now} becomes its {@code createdAt} when it is new. */
public record NewSubscription(String topic, String name, String queue, SubscriptionFilter filter, Instant now) {
}
