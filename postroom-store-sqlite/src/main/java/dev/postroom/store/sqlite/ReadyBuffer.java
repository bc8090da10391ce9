package dev.postroom.store.sqlite;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Per queue, the next deliverable rows in delivery order (priority, then age), read ahead by one
 * claim query, so that a dispatcher claiming one or two messages at a time does not re-read (and
 * skip) every leased row at the head of the ready index on each claim.
 *
 * <p>A buffer holds a prefix of the queue's delivery order. When the query that filled it found
 * fewer rows than it asked for, the buffer holds <em>every</em> deliverable row ("exhaustive"),
 * and new unkeyed sends are simply added to it: a consumer that keeps up then claims from memory
 * without any query. Any change that could put a row ahead of the buffer's tail, or make a buffered
 * row undeliverable, drops the buffer ({@link #invalidate}) and the next claim reads afresh.
 * Writer thread only.
 */
final class ReadyBuffer {
    /** A deliverable row as the claim query reads it. */
    record Candidate(long seq, String id, String payload, String headers, int priority, String orderingKey,
                     int attempt, int maxAttempts, long enqueuedAt, Long expiresAt) {
    }

    private static final Comparator<Candidate> DELIVERY_ORDER =
            Comparator.comparingInt(Candidate::priority).reversed().thenComparingLong(Candidate::seq);
    /** An exhaustive buffer larger than this stops taking new sends; the rest wait on disk. */
    private static final int MAX_BUFFERED = 4096;

    private static final class Buffer {
        final TreeSet<Candidate> rows = new TreeSet<>(DELIVERY_ORDER);
        boolean exhaustive;
        Candidate tail;
    }

    private final Map<String, Buffer> buffers = new HashMap<>();

    /** The next buffered candidate of the queue, or null when none is buffered. */
    Candidate poll(String queue) {
        Buffer buffer = buffers.get(queue);
        if (buffer == null) {
            return null;
        }
        Candidate next = buffer.rows.pollFirst();
        if (buffer.rows.isEmpty() && !buffer.exhaustive) {
            buffers.remove(queue);
        }
        return next;
    }

    /** Whether the queue's buffer holds every deliverable row, so that a claim need not query. */
    boolean isExhaustive(String queue) {
        Buffer buffer = buffers.get(queue);
        return buffer != null && buffer.exhaustive;
    }

    /** Keeps what a claim query read beyond what it handed out. */
    void keep(String queue, Iterable<Candidate> rest, boolean exhaustive) {
        Buffer buffer = new Buffer();
        for (Candidate candidate : rest) {
            buffer.rows.add(candidate);
        }
        buffer.exhaustive = exhaustive;
        buffer.tail = buffer.rows.isEmpty() ? null : buffer.rows.last();
        if (buffer.rows.isEmpty() && !exhaustive) {
            buffers.remove(queue);
        } else {
            buffers.put(queue, buffer);
        }
    }

    /** A row became READY: add it to an exhaustive buffer, or drop a buffer it would sort into. */
    void becameReady(String queue, Candidate row) {
        Buffer buffer = buffers.get(queue);
        if (buffer == null) {
            return;
        }
        if (buffer.exhaustive) {
            if (row.orderingKey() == null && buffer.rows.size() < MAX_BUFFERED) {
                buffer.rows.add(row);
                return;
            }
            // The buffer can no longer hold everything: keep it as a prefix if the row sorts last.
            buffer.exhaustive = false;
            buffer.tail = buffer.rows.isEmpty() ? null : buffer.rows.last();
        }
        if (buffer.tail == null || DELIVERY_ORDER.compare(row, buffer.tail) < 0) {
            buffers.remove(queue);
        }
    }

    /** Something changed that the buffer cannot account for. */
    void invalidate(String queue) {
        buffers.remove(queue);
    }

    void invalidateAll() {
        buffers.clear();
    }
}
