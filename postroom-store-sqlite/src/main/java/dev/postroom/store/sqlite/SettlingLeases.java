package dev.postroom.store.sqlite;

import dev.postroom.store.MessageIds;

import java.util.HashMap;
import java.util.Map;

/**
 * Per queue, the live leases whose ack or nack waits later in the writer's current transaction,
 * counted before that transaction's claims run. Their handlers are done, so a claim may start that
 * many more messages than the queue's concurrency minus its leases: the concurrency bounds the
 * handlers running at once, and a lease whose outcome is already decided runs no handler. Should
 * the transaction roll back, those leases live on until they expire, as any unsettled lease.
 * Writer thread only.
 */
final class SettlingLeases {
    private final Leases leases;
    private final Map<String, Integer> byQueue = new HashMap<>();

    SettlingLeases(Leases leases) {
        this.leases = leases;
    }

    /** Counts the lease if it is live and matches; a stale or unknown one frees nothing. */
    void add(GroupCommitter.LeaseRef ref) {
        long seq;
        try {
            seq = MessageIds.sequenceOf(ref.messageId());
        } catch (IllegalArgumentException notOurs) {
            return; // the ack itself answers that the message does not exist
        }
        Leases.Lease lease = leases.live(seq);
        if (lease != null && lease.matches(ref.messageId(), ref.leaseId())) {
            byQueue.merge(lease.queue, 1, Integer::sum);
        }
    }

    /** How many of the queue's leases are settled later in this transaction. */
    int of(String queue) {
        return byQueue.getOrDefault(queue, 0);
    }

    void clear() {
        byQueue.clear();
    }
}
