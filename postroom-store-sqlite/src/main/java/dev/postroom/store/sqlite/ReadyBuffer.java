package dev.postroom.store.sqlite;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Per queue, the next few deliverable rows read ahead by one claim query, so that a dispatcher
 * claiming one or two messages at a time does not re-read (and skip) every leased row at the head
 * of the ready index on each claim. A buffer holds a prefix of the queue's delivery order; any
 * change that could put a row ahead of its tail, or make a buffered row undeliverable, drops it
 * ({@link #invalidate}), and the next claim reads afresh. Writer thread only.
 */
final class ReadyBuffer {
    /** A candidate as read by the claim query. */
    record Candidate(long seq, String id, String payload, String headers, int priority, String orderingKey,
                     int attempt, int maxAttempts, long enqueuedAt, Long expiresAt) {
    }

    private static final class Buffer {
        final ArrayDeque<Candidate> rows = new ArrayDeque<>();
        int tailPriority;
        long tailSeq;
    }

    private final Map<String, Buffer> buffers = new HashMap<>();

    /** The next buffered candidate of the queue, or null when none is buffered. */
    Candidate poll(String queue) {
        Buffer buffer = buffers.get(queue);
        if (buffer == null) {
            return null;
        }
        Candidate next = buffer.rows.poll();
        if (buffer.rows.isEmpty()) {
            buffers.remove(queue);
        }
        return next;
    }

    /** Keeps what a claim query read beyond what it handed out. */
    void keep(String queue, Iterable<Candidate> rest) {
        Buffer buffer = new Buffer();
        for (Candidate candidate : rest) {
            buffer.rows.add(candidate);
            buffer.tailPriority = candidate.priority();
            buffer.tailSeq = candidate.seq();
        }
        if (buffer.rows.isEmpty()) {
            buffers.remove(queue);
        } else {
            buffers.put(queue, buffer);
        }
    }

    /** A row became READY: the buffer stays valid only if the row sorts after its tail. */
    void becameReady(String queue, int priority, long seq) {
        Buffer buffer = buffers.get(queue);
        if (buffer != null && (priority > buffer.tailPriority || (priority == buffer.tailPriority && seq < buffer.tailSeq))) {
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
