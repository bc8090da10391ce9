package dev.postroom;

import java.util.List;

/**
 * One page of {@link Batches#list}: batches newest first, and the cursor of the next page.
 *
 * @param batches the batches, newest first
 * @param next    the id to pass as {@code before} for the next page, or null on the last page
 */
public record BatchPage(List<BatchStatus> batches, String next) {
    public BatchPage {
        batches = List.copyOf(batches);
    }
}
