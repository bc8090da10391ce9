package dev.postroom.store;

import dev.postroom.MessageSummary;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Storage of batches ({@link MessageStore#batches()}): a batch row, and members that are ordinary
 * messages carrying the batch's id. Same rules as {@link MessageStore}: writes complete once
 * committed, a failed write changes nothing, every request carries {@code now}.
 *
 * <p>Members are counted from their rows, never from counters kept beside them, so that sending,
 * claiming and settling a member costs what it costs for any other message, and a message outside
 * any batch pays nothing for batches.
 */
public interface BatchStore {

    /**
     * Stores the batch row and every member in one transaction: all or nothing. Members must carry
     * no idempotency key (the engine refuses them). Completes with each member's outcome, in order.
     * Fails with {@code QueueNotFoundException} when a member's queue does not exist.
     */
    CompletableFuture<List<SendOutcome>> create(NewBatch batch);

    /** The batch with its members counted by state now, if it exists. A read: it waits for no write. */
    Optional<StoredBatch> get(String id);

    /** Up to {@code limit} batches with ids below {@code before} (null: from the newest), newest first. */
    List<StoredBatch> recent(String before, int limit);

    /**
     * Up to {@code limit} members with ids above {@code after} (null: from the first), in the order
     * they were sent; each in the state {@link MessageStore#get} would report.
     */
    List<MessageSummary> members(String id, String after, int limit);

    /**
     * Completes up to {@code pass.limit()} batches that are not complete and have no member left
     * SCHEDULED, READY or IN_FLIGHT: in one transaction per pass, it marks each complete at
     * {@code pass.now()} and, when a completion was asked for and {@code pass.completionMessage()}
     * returns a message for it, stores that message and records its id on the batch. A batch is
     * completed exactly once, however many processes run passes at the same time: a store shared by
     * several processes locks the batch rows it completes and skips rows another pass holds.
     */
    CompletableFuture<List<CompletedBatch>> complete(BatchCompletionPass pass);

    /**
     * Deletes batches completed before {@code before} that have no member left (all deleted or
     * purged by retention); completes with how many.
     */
    CompletableFuture<Integer> forget(Instant before);
}
