package dev.postroom;

/**
 * Where a workflow stands, decided from its steps by every maintenance pass (see {@link Workflows}).
 * {@link #FAILED} is not final: retrying the dead step lets the workflow run on.
 */
public enum WorkflowState {
    /** Steps are running or waiting for the steps they follow. */
    RUNNING,
    /** Every step succeeded. */
    SUCCEEDED,
    /** A step is DEAD, cancelled on its own or deleted: the steps after it wait until it is retried. */
    FAILED,
    /** The workflow was cancelled: its unfinished steps were cancelled and nothing more is released. */
    CANCELLED;

    /** Whether nothing more happens unless an operator steps in. */
    public boolean isSettled() {
        return this != RUNNING;
    }
}
