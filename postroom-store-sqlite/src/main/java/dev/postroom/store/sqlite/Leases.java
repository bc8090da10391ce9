package dev.postroom.store.sqlite;

import dev.postroom.store.Transition;
import dev.postroom.MessageState;
import dev.postroom.TimelineEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The leases of the embedded store, held in memory only. A claim writes nothing to disk: the
 * row stays READY and the lease lives here, so the hot path is one insert (send) and one update
 * (ack) per message. After a crash the leases are simply gone and every message that was in
 * flight is READY again, its interrupted attempt not counted, which is exactly what the embedded
 * store promises. Readers overlay these leases on the rows they read.
 *
 * <p>Only the writer thread adds and settles leases; readers only look.
 */
final class Leases {
    /** One lease. {@code expiresAt} changes when extended; {@code settled} once acked, nacked or cancelled. */
    static final class Lease {
        final long seq;
        final String id;
        final String queue;
        final String orderingKey;
        final String leaseId;
        final int attempt;
        final int maxAttempts;
        final long claimedAt;
        final String node;
        volatile long expiresAt;
        volatile boolean settled;
        /** The message's key when a queue with per-key limits leased it (LimitedClaims), else null; writer thread only. */
        String limitKey;

        Lease(long seq, String id, String queue, String orderingKey, String leaseId, int attempt, int maxAttempts,
              long claimedAt, String node, long expiresAt) {
            this.seq = seq;
            this.id = id;
            this.queue = queue;
            this.orderingKey = orderingKey;
            this.leaseId = leaseId;
            this.attempt = attempt;
            this.maxAttempts = maxAttempts;
            this.claimedAt = claimedAt;
            this.node = node;
            this.expiresAt = expiresAt;
        }

        /** The IN_FLIGHT entry of this lease, written when it is settled (until then it lives only here). */
        TimelineEntry leasedEntry() {
            return new TimelineEntry(Instant.ofEpochMilli(claimedAt), MessageState.IN_FLIGHT, node, attempt, Transition.LEASED);
        }

        boolean matches(String messageId, String lease) {
            return !settled && id.equals(messageId) && leaseId.equals(lease);
        }

        @Override
        public String toString() {
            return "Lease[id=" + id + ", queue=" + queue + ", attempt=" + attempt + ", expiresAt=" + Instant.ofEpochMilli(expiresAt) + "]";
        }
    }

    private final ConcurrentHashMap<Long, Lease> bySeq = new ConcurrentHashMap<>();
    private final List<Lease> settledSinceCommit = new ArrayList<>();

    void add(Lease lease) {
        bySeq.put(lease.seq, lease);
    }

    /** The live (unsettled) lease of a row, or null. */
    Lease live(long seq) {
        Lease lease = bySeq.get(seq);
        return lease == null || lease.settled ? null : lease;
    }

    /** Any lease of a row, settled or not; readers use it while the settling transaction commits. */
    Lease any(long seq) {
        return bySeq.get(seq);
    }

    boolean isLeased(long seq) {
        return bySeq.containsKey(seq);
    }

    /**
     * Marks a lease settled: it no longer matches, but stays visible to readers until the row's
     * new state is committed ({@link #afterCommit}).
     */
    void settle(Lease lease) {
        lease.settled = true;
        settledSinceCommit.add(lease);
    }

    /** Forgets the leases settled in the committed transaction. */
    void afterCommit() {
        for (Lease lease : settledSinceCommit) {
            bySeq.remove(lease.seq, lease);
        }
        settledSinceCommit.clear();
    }

    /** After a rollback the settled rows are unchanged on disk: their leases live on until they expire. */
    void afterRollback() {
        for (Lease lease : settledSinceCommit) {
            lease.settled = false;
        }
        settledSinceCommit.clear();
    }

    List<Lease> expiredBefore(long now) {
        List<Lease> expired = new ArrayList<>();
        for (Lease lease : bySeq.values()) {
            if (!lease.settled && lease.expiresAt < now) {
                expired.add(lease);
            }
        }
        return expired;
    }

    List<Lease> ofQueue(String queue) {
        List<Lease> result = new ArrayList<>();
        for (Lease lease : bySeq.values()) {
            if (lease.queue.equals(queue)) {
                result.add(lease);
            }
        }
        return result;
    }

    /**
     * Every lease of {@code queue} (of every queue when null), settled or not, by row: what a reader
     * overlays on the rows it reads, like {@link #any}.
     */
    Map<Long, Lease> byRow(String queue) {
        Map<Long, Lease> result = new HashMap<>();
        for (Lease lease : bySeq.values()) {
            if (queue == null || lease.queue.equals(queue)) {
                result.put(lease.seq, lease);
            }
        }
        return result;
    }

    void dropQueue(String queue) {
        bySeq.values().removeIf(lease -> lease.queue.equals(queue));
    }
}
