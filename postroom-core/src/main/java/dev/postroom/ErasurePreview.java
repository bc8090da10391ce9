package dev.postroom;

import java.util.List;

/**
 * What an erasure would remove, changing nothing: how many messages match now, and the ids of the
 * oldest few.
 */
public record ErasurePreview(long count, List<String> sample) {
    public ErasurePreview {
        sample = List.copyOf(sample);
    }
}
