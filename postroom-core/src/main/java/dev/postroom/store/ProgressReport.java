package dev.postroom.store;

import java.time.Instant;

/** Progress of a leased message. */
public record ProgressReport(String id, String leaseId, Integer percent, String note, Instant now) {
}
