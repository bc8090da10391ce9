package dev.postroom;

import java.util.List;

/**
 * One step of a workflow as it stands.
 *
 * @param name         the step's name, unique in its workflow
 * @param queue        the queue its message goes to
 * @param messageId    its message's id (stored from the start; held while {@link WorkflowStepState#WAITING})
 * @param state        where it stands
 * @param after        the steps it follows
 * @param runOnFailure whether it runs once the steps it follows ended, even without success
 */
public record WorkflowStep(String name, String queue, String messageId, WorkflowStepState state, List<String> after,
                           boolean runOnFailure) {
    public WorkflowStep {
        after = List.copyOf(after);
    }
}
