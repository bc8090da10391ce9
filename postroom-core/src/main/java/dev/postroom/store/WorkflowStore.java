package dev.postroom.store;

import dev.postroom.WorkflowStatus;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Storage of workflows ({@link MessageStore#workflows()}): a workflow row, a row per step, and the
 * steps' messages, ordinary messages carrying the workflow's id. Same rules as
 * {@link MessageStore}: writes complete once committed, a failed write changes nothing, every
 * request carries {@code now}.
 *
 * <p>A step that follows others is stored with its message SCHEDULED and held: available at
 * {@link #HELD}, so no promotion ever makes it due. Only {@link #advance} releases it, in the
 * transaction that reads the states it was released on; the release is conditional on the message
 * still being held, so a step is released once however many passes run at the same time. A
 * message outside any workflow pays nothing for workflows.
 */
public interface WorkflowStore {
    /** The available-at time of a held step message: later than any real time. */
    Instant HELD = Instant.parse("9999-12-31T23:59:59.999Z");

    /**
     * Stores the workflow, its steps and their messages in one transaction: all or nothing. With an
     * idempotency key already stored, writes nothing and returns that workflow as a duplicate.
     * Fails with {@code QueueNotFoundException} when a step's queue does not exist.
     */
    CompletableFuture<WorkflowCreated> create(NewWorkflow workflow);

    /** The workflow with its steps as they stand (a leased step message is IN_FLIGHT), if it exists. */
    Optional<WorkflowStatus> get(String id);

    /** The workflows matching {@code query}, newest first, with their steps. */
    List<WorkflowStatus> list(WorkflowQuery query);

    /**
     * Advances the RUNNING and FAILED workflows with a step message that changed since
     * {@code pass.changedSince()} (up to {@code pass.limit()}), and a page of the others in turn (a
     * sweep, for what no change shows: a step message deleted): in one transaction,
     * reads each one's steps, asks {@link WorkflowProgress} what follows, records the results of
     * the steps each released one followed ({@link #inputs}), releases it (READY now, a timeline
     * entry saying so) and writes the workflow's state when it changed. A store shared by several
     * processes locks the workflow rows it advances and skips those another pass holds. Completes
     * with the workflows it released a step of or changed the state of.
     */
    CompletableFuture<List<WorkflowAdvance>> advance(WorkflowPass pass);

    /**
     * Marks the workflow CANCELLED and cancels every step message not finished yet (held, SCHEDULED,
     * READY or IN_FLIGHT: a lease becomes stale), in one transaction. Completes with the workflow
     * after it, or empty when there is none; cancelling a SUCCEEDED or CANCELLED workflow changes
     * nothing and completes with it as it is.
     */
    CompletableFuture<Optional<WorkflowStatus>> cancel(String id, Instant now, String node);

    /** The workflow and recorded inputs of a step message, or empty for a message outside any workflow. */
    Optional<StepInputs> inputs(String messageId);

    /**
     * Deletes workflows that are not RUNNING, last changed before {@code before}, and have no step
     * message left (all deleted or purged by retention); completes with how many.
     */
    CompletableFuture<Integer> forget(Instant before);
}
