package dev.postroom.store;

/**
 * A batch a completion pass completed.
 *
 * @param batchId   the batch
 * @param messageId the completion message stored, or null when none was
 * @param queue     that message's queue, or null
 */
public record CompletedBatch(String batchId, String messageId, String queue) {
}
