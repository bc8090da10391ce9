package dev.postroom.store.sqlite;

import dev.postroom.MessageState;
import dev.postroom.StateCounts;

import java.util.HashMap;
import java.util.Map;

/**
 * Per-queue, per-state message counts kept in memory by the writer thread, so that counts and
 * concurrency limits cost no query. Only the writer mutates them; readers see the snapshot
 * published after each commit.
 */
final class StateCounters {
    private static final int STATES = MessageState.values().length;
    private final Map<String, long[]> counts = new HashMap<>();
    private volatile Map<String, StateCounts> snapshot = Map.of();

    void add(String queue, MessageState state, long delta) {
        counts.computeIfAbsent(queue, q -> new long[STATES])[state.ordinal()] += delta;
    }

    void move(String queue, MessageState from, MessageState to) {
        long[] row = counts.computeIfAbsent(queue, q -> new long[STATES]);
        row[from.ordinal()]--;
        row[to.ordinal()]++;
    }

    long get(String queue, MessageState state) {
        long[] row = counts.get(queue);
        return row == null ? 0 : row[state.ordinal()];
    }

    void clear() {
        counts.clear();
    }

    void remove(String queue) {
        counts.remove(queue);
    }

    /** Makes the current counts visible to readers. */
    void publish() {
        Map<String, StateCounts> copy = new HashMap<>();
        counts.forEach((queue, c) -> copy.put(queue, new StateCounts(c[0], c[1], c[2], c[3], c[4], c[5])));
        snapshot = Map.copyOf(copy);
    }

    Map<String, StateCounts> snapshot() {
        return snapshot;
    }
}
