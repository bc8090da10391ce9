package dev.postroom;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A workflow and its steps as they stand.
 *
 * @param id        UUIDv7
 * @param name      the name given at start, or null
 * @param state     where it stands
 * @param createdAt when it was started
 * @param updatedAt when its state last changed
 * @param endedAt   when it last became SUCCEEDED, FAILED or CANCELLED, or null while RUNNING
 * @param steps     its steps, in the order given at start
 */
public record WorkflowStatus(String id, String name, WorkflowState state, Instant createdAt, Instant updatedAt, Instant endedAt,
                             List<WorkflowStep> steps) {
    public WorkflowStatus {
        steps = List.copyOf(steps);
    }

    /** The step named {@code name}, if there is one. */
    public Optional<WorkflowStep> step(String name) {
        return steps.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
