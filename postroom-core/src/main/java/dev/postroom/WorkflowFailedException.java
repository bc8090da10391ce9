package dev.postroom;

/**
 * A workflow awaited with {@link Workflows#outcome} became {@link WorkflowState#FAILED} or
 * {@link WorkflowState#CANCELLED}. A failed workflow may still run on once its dead step is retried;
 * await it again then.
 */
public class WorkflowFailedException extends PostroomException {
    private final WorkflowStatus workflow;

    public WorkflowFailedException(WorkflowStatus workflow) {
        super("workflow " + workflow.id() + (workflow.name() == null ? "" : " (" + workflow.name() + ")") + " is " + workflow.state()
                + failedSteps(workflow));
        this.workflow = workflow;
    }

    private static String failedSteps(WorkflowStatus workflow) {
        String failed = String.join(", ", workflow.steps().stream().filter(s -> s.state().isFailure())
                .map(s -> s.name() + " " + s.state()).toList());
        return failed.isEmpty() ? "" : ": " + failed;
    }

    /** The workflow as it stood when it failed or was cancelled. */
    public WorkflowStatus workflow() {
        return workflow;
    }
}
