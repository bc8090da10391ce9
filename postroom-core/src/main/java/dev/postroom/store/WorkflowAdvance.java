package dev.postroom.store;

import dev.postroom.WorkflowState;
import dev.postroom.WorkflowStep;

import java.util.List;

/**
 * What one pass did to one workflow.
 *
 * @param workflowId the workflow
 * @param state      its state after the pass
 * @param changed    whether the pass changed its state
 * @param released   the steps released (their messages are READY now), as they were before
 */
public record WorkflowAdvance(String workflowId, WorkflowState state, boolean changed, List<WorkflowStep> released) {
    public WorkflowAdvance {
        released = List.copyOf(released);
    }
}
