package dev.postroom.store;

import java.time.Instant;
import java.util.List;

/**
 * A workflow to store with every step's message, all or nothing.
 *
 * @param id             UUIDv7 string from {@link MessageIds}
 * @param name           or null
 * @param idempotencyKey or null; a workflow with this key already stored is returned instead
 * @param steps          in the order given
 * @param now            when it starts
 * @param node           the node starting it, for the messages' timelines
 */
public record NewWorkflow(String id, String name, String idempotencyKey, List<NewStep> steps, Instant now, String node) {
    public NewWorkflow {
        steps = List.copyOf(steps);
    }

    /** The step messages as one send. */
    public SendBatch messages() {
        return new SendBatch(steps.stream().map(NewStep::message).toList(), now, node);
    }
}
