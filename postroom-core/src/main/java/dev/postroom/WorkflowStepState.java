package dev.postroom;

/**
 * A workflow step's state: its message's {@link MessageState}, or {@link #WAITING} while the steps
 * it follows have not finished (its message is stored SCHEDULED, held until the workflow releases
 * it), or {@link #DELETED} when its message was deleted or purged.
 */
public enum WorkflowStepState {
    WAITING, SCHEDULED, READY, IN_FLIGHT, SUCCEEDED, DEAD, CANCELLED, DELETED;

    /** The step state of a released step whose message is in {@code state}. */
    public static WorkflowStepState of(MessageState state) {
        return valueOf(state.name());
    }

    /** Whether the step ended without success: it stops the steps after it (unless they run on failure). */
    public boolean isFailure() {
        return this == DEAD || this == CANCELLED || this == DELETED;
    }

    /** Whether the step's message is handed out or may be: SCHEDULED, READY or IN_FLIGHT. */
    public boolean isActive() {
        return this == SCHEDULED || this == READY || this == IN_FLIGHT;
    }
}
