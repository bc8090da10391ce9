package dev.postroom;

/**
 * A queue with its policy, pause flag and per-state counts.
 */
public record QueueInfo(String name, QueuePolicy policy, boolean paused, StateCounts counts) {
}
