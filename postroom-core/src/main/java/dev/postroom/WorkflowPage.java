package dev.postroom;

import java.util.List;

/**
 * One page of workflows, newest first.
 *
 * @param workflows the page
 * @param next      the cursor for the next (older) page, or null after the last
 */
public record WorkflowPage(List<WorkflowStatus> workflows, String next) {
    public WorkflowPage {
        workflows = List.copyOf(workflows);
    }
}
