package dev.postroom.store;

import dev.postroom.WorkflowState;

/**
 * A page of workflows to list, newest first, every non-null filter applied.
 *
 * @param state only workflows in this state
 * @param name  only workflows with this name
 * @param after only workflows with an id below this one (the previous page's last), or null
 * @param limit at most this many (the engine checked 1–500, plus one to see whether more follow)
 */
public record WorkflowQuery(WorkflowState state, String name, String after, int limit) {
}
