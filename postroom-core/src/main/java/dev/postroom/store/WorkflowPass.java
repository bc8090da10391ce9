package dev.postroom.store;

import java.time.Instant;

/**
 * One pass of {@link WorkflowStore#advance}.
 *
 * @param now   the time of the releases and state changes
 * @param node  the node running the pass, for the released messages' timelines
 * @param limit at most this many workflows per pass
 */
public record WorkflowPass(Instant now, String node, int limit) {
}
