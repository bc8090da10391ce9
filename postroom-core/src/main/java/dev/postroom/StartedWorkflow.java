package dev.postroom;

import java.util.concurrent.CompletableFuture;

/**
 * A workflow {@link Workflows#start started}: as it stood when stored, whether it was stored by an
 * earlier start with the same idempotency key, and a future for its outcome.
 */
public final class StartedWorkflow {
    private final WorkflowStatus workflow;
    private final boolean duplicate;
    private final Workflows workflows;

    StartedWorkflow(WorkflowStatus workflow, boolean duplicate, Workflows workflows) {
        this.workflow = workflow;
        this.duplicate = duplicate;
        this.workflows = workflows;
    }

    /** The workflow's id. */
    public String id() {
        return workflow.id();
    }

    /** The workflow as it stood when this start returned. */
    public WorkflowStatus workflow() {
        return workflow;
    }

    /** Whether an earlier start with the same idempotency key stored it (this one stored nothing). */
    public boolean duplicate() {
        return duplicate;
    }

    /** The message id of the step named {@code step}. */
    public String messageId(String step) {
        return workflow.step(step).orElseThrow(() -> new IllegalArgumentException("no step " + step + " in workflow " + id()))
                .messageId();
    }

    /** See {@link Workflows#outcome}. */
    public CompletableFuture<WorkflowStatus> outcome() {
        return workflows.outcome(id());
    }
}
