package dev.postroom.store;

import dev.postroom.QueuePolicy;

import java.time.Instant;

/** A queue as stored. */
public record StoredQueue(String name, QueuePolicy policy, boolean paused, Instant createdAt) {
}
