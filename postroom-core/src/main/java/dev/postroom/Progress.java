package dev.postroom;

/**
 * Progress reported by a running handler.
 *
 * @param percent 0 to 100, or null when unknown
 * @param note    a line of text for operators, or null
 */
public record Progress(Integer percent, String note) {
}
