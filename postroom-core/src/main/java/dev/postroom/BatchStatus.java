package dev.postroom;

import java.time.Instant;

/**
 * Where a batch stands, counted from its members as they are now ({@link Batches#get}).
 *
 * <p>{@code pending + succeeded + failed + cancelled + deleted == total}. A member an operator
 * deletes, or that its queue's retention purges, counts as {@code deleted}; a member redriven or
 * retried after the batch completed counts as pending again, but the batch stays complete and its
 * completion message is not sent again.
 *
 * @param id                  the batch id
 * @param queue               the queue its members were sent to
 * @param createdAt           when it was sent
 * @param total               how many members it was sent with
 * @param pending             members not yet ended: SCHEDULED, READY or IN_FLIGHT
 * @param succeeded           members SUCCEEDED
 * @param failed              members DEAD (attempts exhausted, or TTL passed)
 * @param cancelled           members CANCELLED
 * @param deleted             members no longer stored
 * @param completionQueue     the queue of the completion message asked for, or null for none
 * @param completedAt         when the engine found every member ended, or null while any is pending
 * @param completionMessageId the completion message, once sent; null before, and when none was asked
 *                            for (or its queue had been deleted by then)
 */
public record BatchStatus(
        String id,
        String queue,
        Instant createdAt,
        int total,
        long pending,
        long succeeded,
        long failed,
        long cancelled,
        long deleted,
        String completionQueue,
        Instant completedAt,
        String completionMessageId) {

    /** Whether the batch completed: every member ended, and the completion message (if any) was sent. */
    public boolean isComplete() {
        return completedAt != null;
    }

    /** Members that ended (succeeded, failed, cancelled or deleted). */
    public long ended() {
        return total - pending;
    }
}
