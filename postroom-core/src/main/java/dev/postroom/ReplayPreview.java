package dev.postroom;

import java.util.List;

/**
 * What a replay would send ({@link Replays#preview}): how many messages match, and the ids of the
 * oldest few, in the order they would be sent.
 */
public record ReplayPreview(long count, List<String> sample) {
    public ReplayPreview {
        sample = List.copyOf(sample);
    }
}
