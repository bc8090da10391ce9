package dev.postroom.store;

import java.util.List;

/**
 * A workflow step to store: its message, stored with the workflow, READY when the step follows
 * nothing and otherwise SCHEDULED and held ({@code availableAt} = {@link WorkflowStore#HELD}) until
 * a {@linkplain WorkflowStore#advance pass} releases it.
 *
 * @param name         unique in the workflow
 * @param after        the steps it follows, by name (all in the workflow, no cycle: the engine checked)
 * @param runOnFailure whether it is released once those ended, even without success
 * @param message      its message, validated
 */
public record NewStep(String name, List<String> after, boolean runOnFailure, NewMessage message) {
    public NewStep {
        after = List.copyOf(after);
    }
}
