package dev.postroom.store;

import java.time.Instant;

/** Moves a lease's expiry to {@code expiresAt}. */
public record LeaseExtension(String id, String leaseId, Instant expiresAt, Instant now) {
}
