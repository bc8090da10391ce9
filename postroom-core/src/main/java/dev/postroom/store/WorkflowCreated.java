package dev.postroom.store;

import dev.postroom.WorkflowStatus;

/**
 * What {@link WorkflowStore#create} stored: the new workflow, or with {@code duplicate} the one
 * stored earlier under the same idempotency key (nothing new was written).
 */
public record WorkflowCreated(WorkflowStatus workflow, boolean duplicate) {
}
