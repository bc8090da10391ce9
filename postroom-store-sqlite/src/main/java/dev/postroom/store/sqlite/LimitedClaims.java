package dev.postroom.store.sqlite;

import dev.postroom.store.jdbc.KeyWalk;
import dev.postroom.store.jdbc.StateSql;
import dev.postroom.KeyLimit;
import dev.postroom.QueuePolicy;
import dev.postroom.RateLimit;
import dev.postroom.store.ClaimRequest;
import dev.postroom.store.ClaimedMessage;
import dev.postroom.store.KeyRoundRobin;
import dev.postroom.store.RateWindow;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Claims of the embedded store's queues with a rate limit or per-key limits. One process owns the
 * file, so the limits' state is in memory: each queue's and each key's {@link RateWindow} and the
 * key the last claim ended on. Per-key in-flight counts come from the {@link Leases}. Queues
 * without such limits never come here (their claim is {@code MessageWrites}' in-order path).
 *
 * <p>Writer thread only, except {@link #rateLimitedUntil}, which any thread may read.
 */
final class LimitedClaims {
    /** Keys one claim looks at, at most, beyond the ones it takes from: bounds a claim's cost when many keys are at their cap. */
    private static final int EXTRA_VISITS = 64;

    /** The first key of a queue with READY rows (leased rows too: they are READY on disk). */
    private static final String FIRST_KEY = StateSql.expand("""
            SELECT limit_key FROM messages INDEXED BY messages_ready_by_key
            WHERE queue = ? AND state = {READY} AND limit_key >= '' ORDER BY limit_key LIMIT 1""");
    private static final String NEXT_KEY = StateSql.expand("""
            SELECT limit_key FROM messages INDEXED BY messages_ready_by_key
            WHERE queue = ? AND state = {READY} AND limit_key > ? ORDER BY limit_key LIMIT 1""");
    /** A key's deliverable rows, as MessageWrites.CLAIM_CANDIDATES for one key; leased rows are skipped by the caller. */
    private static final String KEY_HEADS = StateSql.expand("""
            SELECT seq, id, payload, headers, priority, ordering_key, attempt, max_attempts, enqueued_at, expires_at
            FROM messages m INDEXED BY messages_ready_by_key
            WHERE queue = ?1 AND state = {READY} AND limit_key = ?2
              AND (expires_at IS NULL OR expires_at > ?3)
              AND (ordering_key IS NULL OR NOT EXISTS (
                    SELECT 1 FROM messages o INDEXED BY messages_ordering
                    WHERE o.queue = ?1 AND o.ordering_key = m.ordering_key AND o.seq < m.seq
                      AND o.state IN ({UNFINISHED})))
            ORDER BY priority DESC, seq
            LIMIT ?4""");

    /** Leases one candidate (MessageWrites.lease, with the claim's lease id and expiry). */
    interface Leaser {
        ClaimedMessage lease(ReadyBuffer.Candidate row) throws SQLException;
    }

    /** The in-order claim of MessageWrites, for a queue with only a queue rate limit. */
    interface InOrder {
        List<ClaimedMessage> claim(int max) throws SQLException;
    }

    private final Leases leases;
    private final PreparedStatement firstKey;
    private final PreparedStatement nextKey;
    private final PreparedStatement keyHeads;
    private final Map<String, RateWindow> queueRates = new HashMap<>();
    private final Map<String, Map<String, RateWindow>> keyRates = new HashMap<>();
    private final Map<String, String> cursors = new HashMap<>();
    private final Map<String, Instant> limitedUntil = new ConcurrentHashMap<>();

    LimitedClaims(Connection connection, Leases leases) throws SQLException {
        this.leases = leases;
        this.firstKey = connection.prepareStatement(FIRST_KEY);
        this.nextKey = connection.prepareStatement(NEXT_KEY);
        this.keyHeads = connection.prepareStatement(KEY_HEADS);
    }

    /**
     * Claims up to {@code max} (already capped by the queue's concurrency) within the queue's rate
     * limit and, with per-key limits, round-robin across keys within each key's limits.
     */
    List<ClaimedMessage> claim(String queue, QueuePolicy policy, ClaimRequest request, int max, InOrder inOrder, Leaser leaser)
            throws SQLException {
        long now = request.now().toEpochMilli();
        limitedUntil.remove(queue);
        RateLimit rate = policy.rateLimit();
        RateWindow window = rate == null ? null : queueRates.getOrDefault(queue, RateWindow.EMPTY);
        boolean rateBound = false;
        if (rate != null) {
            int allowed = window.available(rate, now);
            rateBound = allowed < max;
            max = Math.min(max, allowed);
        }
        List<ClaimedMessage> claimed = max <= 0 ? List.of() : policy.perKey() == null ? inOrder.claim(max)
                : roundRobin(queue, policy.perKey(), request, max, leaser);
        if (rate != null) {
            RateWindow after = window.take(rate, now, claimed.size());
            queueRates.put(queue, after);
            if (rateBound) {
                // Held back by the queue's rate: what is left waits at least for the next message the window lets out.
                limitedUntil.merge(queue, Instant.ofEpochMilli(after.nextAvailableAt(rate, now)), LimitedClaims::earlier);
            }
        }
        return claimed;
    }

    /** When the queue's rate limits next let a message out, if its last claim stopped at one. */
    Optional<Instant> rateLimitedUntil(String queue) {
        return Optional.ofNullable(limitedUntil.get(queue));
    }

    /** Nothing of the queue is left READY: no consumer need wake for its rate limit. */
    void nothingWaiting(String queue) {
        limitedUntil.remove(queue);
    }

    /** Forgets a queue's state (deleted, or its policy changed). */
    void forget(String queue) {
        queueRates.remove(queue);
        keyRates.remove(queue);
        cursors.remove(queue);
        limitedUntil.remove(queue);
    }

    private List<ClaimedMessage> roundRobin(String queue, KeyLimit perKey, ClaimRequest request, int max, Leaser leaser)
            throws SQLException {
        long now = request.now().toEpochMilli();
        Map<String, Integer> inFlightByKey = new HashMap<>();
        int leased = 0;
        for (Leases.Lease lease : leases.ofQueue(queue)) {
            if (!lease.settled) {
                leased++;
                if (lease.limitKey != null) {
                    inFlightByKey.merge(lease.limitKey, 1, Integer::sum);
                }
            }
        }
        int leasedRows = leased;
        Map<String, RateWindow> rates = keyRates.computeIfAbsent(queue, q -> new HashMap<>());
        KeyWalk<ReadyBuffer.Candidate> walk = new KeyWalk<>(firstKey, nextKey, queue, perKey, inFlightByKey, now) {
            @Override
            protected RateWindow window(String key) {
                return rates.getOrDefault(key, RateWindow.EMPTY);
            }

            @Override
            public List<ReadyBuffer.Candidate> heads(String key, int n) throws SQLException {
                keyHeads.setString(1, queue);
                keyHeads.setString(2, key);
                keyHeads.setLong(3, now);
                keyHeads.setLong(4, (long) n + leasedRows); // leased rows are READY on disk: read past them
                List<ReadyBuffer.Candidate> rows = new ArrayList<>(n);
                try (ResultSet rs = keyHeads.executeQuery()) {
                    while (rs.next() && rows.size() < n) {
                        long seq = rs.getLong(1);
                        if (leases.isLeased(seq)) {
                            continue;
                        }
                        long expires = rs.getLong(10);
                        Long expiresAt = rs.wasNull() ? null : expires;
                        rows.add(new ReadyBuffer.Candidate(seq, rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                                rs.getString(6), rs.getInt(7), rs.getInt(8), rs.getLong(9), expiresAt));
                    }
                }
                return rows;
            }
        };
        KeyRoundRobin.Pick<ReadyBuffer.Candidate> pick = KeyRoundRobin.pick(walk, cursors.get(queue), max, max + EXTRA_VISITS);

        List<ClaimedMessage> claimed = new ArrayList<>(pick.rows().size());
        for (int i = 0; i < pick.rows().size(); i++) {
            ReadyBuffer.Candidate row = pick.rows().get(i);
            String key = pick.keys().get(i);
            claimed.add(leaser.lease(row));
            leases.live(row.seq()).limitKey = key;
            if (perKey.rateLimit() != null) {
                rates.put(key, rates.getOrDefault(key, RateWindow.EMPTY).take(perKey.rateLimit(), now, 1));
            }
        }
        if (pick.cursor() != null) {
            cursors.put(queue, pick.cursor());
        }
        if (claimed.size() < max && walk.rateDue() != Long.MAX_VALUE) {
            limitedUntil.merge(queue, Instant.ofEpochMilli(walk.rateDue()), LimitedClaims::earlier);
        }
        forgetIdleKeys(perKey, rates, now);
        return claimed;
    }

    private static Instant earlier(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** A key's window two intervals old counts nothing any more; dropping it keeps the map to the keys in use. */
    private static void forgetIdleKeys(KeyLimit perKey, Map<String, RateWindow> rates, long now) {
        if (perKey.rateLimit() == null) {
            rates.clear();
            return;
        }
        if (rates.size() > 1024) {
            long per = perKey.rateLimit().per().toMillis();
            rates.values().removeIf(w -> w.start() + 2 * per <= now);
        }
    }
}
