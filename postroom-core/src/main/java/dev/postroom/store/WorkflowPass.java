package dev.postroom.store;

import java.time.Instant;

/**
 * One pass of {@link WorkflowStore#advance}.
 *
 * @param now          the time of the releases and state changes
 * @param node         the node running the pass, for the released messages' timelines
 * @param limit        at most this many workflows per pass, besides those a sweep brings
 * @param changedSince a workflow whose step message changed (its {@code updated_at}) since then is
 *                     looked at; some time before {@code now}, so that a clock a little behind on
 *                     another node loses nothing
 */
public record WorkflowPass(Instant now, String node, int limit, Instant changedSince) {
}
