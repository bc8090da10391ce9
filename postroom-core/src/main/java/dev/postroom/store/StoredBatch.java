package dev.postroom.store;

import java.time.Instant;

/**
 * A batch as stored, with its members counted now.
 *
 * @param total               how many members it was sent with
 * @param counts              its members still stored, by state
 * @param onComplete          the completion message asked for, or null
 * @param completedAt         when a completion pass completed it, or null
 * @param completionMessageId the completion message stored then, or null
 */
public record StoredBatch(String id, String queue, Instant createdAt, int total, BatchCounts counts,
                          OnComplete onComplete, Instant completedAt, String completionMessageId) {
}
