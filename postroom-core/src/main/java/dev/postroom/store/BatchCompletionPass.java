package dev.postroom.store;

import java.time.Instant;
import java.util.function.Function;

/**
 * One pass of {@link BatchStore#complete}.
 *
 * @param now               the completion time
 * @param node              the node completing, for the completion message's timeline
 * @param limit             at most this many batches per pass
 * @param completionMessage the engine's completion message for a finished batch that asked for one
 *                          (called inside the store's transaction with the batch's final counts; it
 *                          must be quick), or null to complete the batch without one
 */
public record BatchCompletionPass(Instant now, String node, int limit, Function<StoredBatch, NewMessage> completionMessage) {
}
