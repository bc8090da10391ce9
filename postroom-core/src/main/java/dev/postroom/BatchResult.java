package dev.postroom;

import java.util.List;

/**
 * A batch stored by {@link Batches#send}: its id and what each member's send stored, in the order
 * the members were given.
 *
 * @param batchId  the batch's id (a UUIDv7 string, time-sortable)
 * @param messages each member's id and initial state; never duplicates, since members carry no
 *                 idempotency key
 */
public record BatchResult(String batchId, List<SendResult> messages) {
    public BatchResult {
        messages = List.copyOf(messages);
    }

    /** The members' ids, in the order they were given. */
    public List<String> messageIds() {
        return messages.stream().map(SendResult::id).toList();
    }
}
