package dev.postroom.store;

import java.time.Instant;

/** Ack of a leased message, with its result as JSON text (or null). */
public record Completion(String id, String leaseId, String resultJson, Instant now, String node) {
}
