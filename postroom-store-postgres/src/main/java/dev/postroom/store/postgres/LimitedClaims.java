package dev.postroom.store.postgres;

import dev.postroom.store.jdbc.Statements;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Claims of queues with a rate limit or per-key limits, cluster-wide. Each runs inside the claim's
 * transaction after {@code MessageWrites.lockQueue}, so claims of one queue on every node take turns
 * and each sees the state the one before committed: the queue's {@link RateWindow} and round-robin
 * cursor in its row, per-key rate windows in {@code key_rates}, per-key in-flight counts from the
 * leased rows. Queues without such limits never come here.
 *
 * <p>Thread-safe: state is per call, except the node-local {@link #rateLimitedUntil} hints.
 */
final class LimitedClaims {
    /** Whether a queue has a READY message. Parameter: queue. */
    private static final String ANY_READY = StateSql.expand("SELECT EXISTS (SELECT 1 FROM messages WHERE queue = ? AND state = {READY})");
    /** A queue's messages in flight, by limit key. Parameter: queue. */
    private static final String IN_FLIGHT_BY_KEY = StateSql.expand("SELECT limit_key, count(*) FROM messages "
                + "WHERE queue = ? AND state = {IN_FLIGHT} AND limit_key IS NOT NULL GROUP BY limit_key");

    /** Keys one claim looks at, at most, beyond the ones it takes from: bounds a claim's cost when many keys are at their cap. */
    private static final int EXTRA_VISITS = 64;
    /** One claim in this many also deletes key rate windows that count nothing any more. */
    private static final int PRUNE_ONE_IN = 256;

    private static final String FIRST_KEY = StateSql.expand("""
            SELECT limit_key FROM messages WHERE queue = ? AND state = {READY} AND limit_key IS NOT NULL
            ORDER BY limit_key LIMIT 1""");
    private static final String NEXT_KEY = StateSql.expand("""
            SELECT limit_key FROM messages WHERE queue = ? AND state = {READY} AND limit_key > ?
            ORDER BY limit_key LIMIT 1""");
    /** A key's deliverable rows, with the FIFO rule of MessageWrites.CLAIM. Parameters: queue, key, now, limit. */
    private static final String KEY_HEADS = StateSql.expand("""
            SELECT id FROM messages m
            WHERE queue = ? AND state = {READY} AND limit_key = ?
              AND (expires_at IS NULL OR expires_at > ?)
              AND (ordering_key IS NULL OR NOT EXISTS (
                    SELECT 1 FROM messages o
                    WHERE o.queue = m.queue AND o.ordering_key = m.ordering_key
                      AND o.state IN ({UNFINISHED}) AND (o.seq < m.seq OR o.state = {IN_FLIGHT})))
            ORDER BY priority DESC, id
            LIMIT ?
            FOR UPDATE SKIP LOCKED""");
    /**
     * Leases the picked rows, as MessageWrites.CLAIM's UPDATE. Parameters: lease id, lease expiry,
     * node, updated at, leased at, node, ids.
     */
    private static final String LEASE = StateSql.expand("""
            UPDATE messages m
            SET state = {IN_FLIGHT}, attempt = attempt + 1, lease_id = ?, lease_expires_at = ?, lease_node = ?, updated_at = ?,
            """ + MessageWrites.LEASED_ENTRY + "\n" + """
            FROM (VALUES (?::bigint, ?::text)) AS leasing(at, node)
            WHERE m.id = ANY(?) AND m.state = {READY}
            RETURNING m.id, m.payload, m.headers, m.priority, m.ordering_key, m.attempt, m.max_attempts, m.enqueued_at""");

    /** The in-order claim of MessageWrites, for a queue with only a queue rate limit. */
    interface InOrder {
        List<ClaimedMessage> claim(int max) throws SQLException;
    }

    private final PostgresJson json;
    private final Map<String, Instant> limitedUntil = new ConcurrentHashMap<>();

    LimitedClaims(PostgresJson json) {
        this.json = json;
    }

    /**
     * Claims up to {@code max} (already capped by the queue's concurrency) within the queue's rate
     * limit and, with per-key limits, round-robin across keys within each key's limits. The queue's
     * row must be locked by this transaction.
     */
    List<ClaimedMessage> claim(Connection c, QueuePolicy policy, ClaimRequest request, int max, String leaseId,
                               InOrder inOrder) throws SQLException {
        String queue = request.queue();
        long now = request.now().toEpochMilli();
        if (policy.rateLimit() != null || (policy.perKey() != null && policy.perKey().rateLimit() != null)) {
            // The claim opened with an asynchronous commit (a lost lease only makes a message ready
            // again), but a lost rate window would let the queue exceed its limit after a crash.
            try (PreparedStatement ps = c.prepareStatement("SET LOCAL synchronous_commit = on")) {
                ps.execute();
            }
        }
        RateWindow window = RateWindow.EMPTY;
        String cursor;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT rate_window_start, rate_previous, rate_current, key_cursor FROM queues WHERE name = ?")) {
            ps.setString(1, queue);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                window = new RateWindow(rs.getLong(1), rs.getInt(2), rs.getInt(3));
                cursor = rs.getString(4);
            }
        }
        Instant until = null;
        RateLimit rate = policy.rateLimit();
        boolean rateBound = false;
        if (rate != null) {
            int allowed = window.available(rate, now);
            rateBound = allowed < max;
            max = Math.min(max, allowed);
        }
        List<ClaimedMessage> claimed;
        if (max <= 0) {
            claimed = List.of();
        } else if (policy.perKey() == null) {
            claimed = inOrder.claim(max);
        } else {
            KeyPick pick = pick(c, queue, policy.perKey(), now, cursor, max);
            claimed = lease(c, request, leaseId, pick);
            takeKeyRates(c, queue, policy.perKey(), now, pick);
            if (claimed.size() < max && pick.rateDue() != Long.MAX_VALUE) {
                until = Instant.ofEpochMilli(pick.rateDue());
            }
            cursor = pick.pick().cursor();
        }
        if (rate != null) {
            window = window.take(rate, now, claimed.size());
            if (rateBound) {
                Instant next = Instant.ofEpochMilli(window.nextAvailableAt(rate, now));
                until = until == null || next.isBefore(until) ? next : until;
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE queues SET rate_window_start = ?, rate_previous = ?, rate_current = ?, key_cursor = ? WHERE name = ?")) {
            ps.setLong(1, window.start());
            ps.setInt(2, window.previous());
            ps.setInt(3, window.current());
            ps.setString(4, cursor);
            ps.setString(5, queue);
            ps.executeUpdate();
        }
        if (until != null && !anyReady(c, queue)) {
            until = null; // held back by a limit, but there was nothing more to hand out
        }
        if (until == null) {
            limitedUntil.remove(queue);
        } else {
            limitedUntil.put(queue, until);
        }
        return claimed;
    }

    private static boolean anyReady(Connection c, String queue) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ANY_READY)) {
            ps.setString(1, queue);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** When the queue's rate limits next let a message out, if its last claim on this node stopped at one. */
    Optional<Instant> rateLimitedUntil(String queue) {
        return Optional.ofNullable(limitedUntil.get(queue));
    }

    /** The limits of the queue changed: they count afresh. The queue's row must be locked by this transaction. */
    void reset(Connection c, String queue) throws SQLException {
        Statements.update(c, "UPDATE queues SET rate_window_start = 0, rate_previous = 0, rate_current = 0, key_cursor = NULL WHERE name = ?", queue);
        Statements.update(c, "DELETE FROM key_rates WHERE queue = ?", queue);
        limitedUntil.remove(queue);
    }

    private record KeyPick(KeyRoundRobin.Pick<UUID> pick, Map<String, RateWindow> rates, long rateDue) {
        // rates: the windows read for the keys visited
    }

    private KeyPick pick(Connection c, String queue, KeyLimit perKey, long now, String cursor, int max) throws SQLException {
        Map<String, Integer> inFlight = new HashMap<>();
        if (perKey.maxInFlight() != null) {
            try (PreparedStatement ps = c.prepareStatement(IN_FLIGHT_BY_KEY)) {
                ps.setString(1, queue);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        inFlight.put(rs.getString(1), rs.getInt(2));
                    }
                }
            }
        }
        Map<String, RateWindow> rates = new HashMap<>();
        try (PreparedStatement firstKey = c.prepareStatement(FIRST_KEY);
             PreparedStatement nextKey = c.prepareStatement(NEXT_KEY);
             PreparedStatement heads = c.prepareStatement(KEY_HEADS);
             PreparedStatement keyRate = c.prepareStatement(
                     "SELECT window_start, previous, current FROM key_rates WHERE queue = ? AND limit_key = ?")) {
            KeyWalk<UUID> walk = new KeyWalk<>(firstKey, nextKey, queue, perKey, inFlight, now) {
                @Override
                protected RateWindow window(String key) throws SQLException {
                    RateWindow window = RateWindow.EMPTY;
                    keyRate.setString(1, queue);
                    keyRate.setString(2, key);
                    try (ResultSet rs = keyRate.executeQuery()) {
                        if (rs.next()) {
                            window = new RateWindow(rs.getLong(1), rs.getInt(2), rs.getInt(3));
                        }
                    }
                    rates.put(key, window);
                    return window;
                }

                @Override
                public List<UUID> heads(String key, int n) throws SQLException {
                    heads.setString(1, queue);
                    heads.setString(2, key);
                    heads.setLong(3, now);
                    heads.setInt(4, n);
                    List<UUID> ids = new ArrayList<>(n);
                    try (ResultSet rs = heads.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getObject(1, UUID.class));
                        }
                    }
                    return ids;
                }
            };
            KeyRoundRobin.Pick<UUID> pick = KeyRoundRobin.pick(walk, cursor, max, max + EXTRA_VISITS);
            return new KeyPick(pick, rates, walk.rateDue());
        }
    }

    private List<ClaimedMessage> lease(Connection c, ClaimRequest request, String leaseId, KeyPick pick) throws SQLException {
        List<UUID> ids = pick.pick().rows();
        if (ids.isEmpty()) {
            return List.of();
        }
        long now = request.now().toEpochMilli();
        Instant expiresAt = request.now().plus(request.lease());
        List<ClaimedMessage> claimed = new ArrayList<>(ids.size());
        try (PreparedStatement ps = c.prepareStatement(LEASE)) {
            ps.setString(1, leaseId);
            ps.setLong(2, expiresAt.toEpochMilli());
            ps.setString(3, request.node());
            ps.setLong(4, now);
            ps.setLong(5, now);
            ps.setString(6, request.node());
            ps.setArray(7, c.createArrayOf("uuid", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    claimed.add(new ClaimedMessage(rs.getString(1), request.queue(), rs.getString(2),
                            json.readHeaders(rs.getString(3)), rs.getShort(4), rs.getString(5), rs.getInt(6), rs.getInt(7),
                            leaseId, expiresAt, Instant.ofEpochMilli(rs.getLong(8))));
                }
            }
        }
        // Hand them out in the round-robin order (RETURNING follows none).
        Map<String, Integer> order = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            order.put(ids.get(i).toString(), i);
        }
        claimed.sort(Comparator.comparingInt(m -> order.getOrDefault(m.id(), Integer.MAX_VALUE)));
        return claimed;
    }

    private static void takeKeyRates(Connection c, String queue, KeyLimit perKey, long now, KeyPick pick) throws SQLException {
        RateLimit rate = perKey.rateLimit();
        if (rate == null || pick.pick().rows().isEmpty()) {
            return;
        }
        Map<String, Integer> taken = new HashMap<>();
        pick.pick().keys().forEach(key -> taken.merge(key, 1, Integer::sum));
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO key_rates (queue, limit_key, window_start, previous, current) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (queue, limit_key) DO UPDATE
                SET window_start = excluded.window_start, previous = excluded.previous, current = excluded.current""")) {
            for (Map.Entry<String, Integer> entry : taken.entrySet()) {
                RateWindow window = pick.rates().getOrDefault(entry.getKey(), RateWindow.EMPTY).take(rate, now, entry.getValue());
                ps.setString(1, queue);
                ps.setString(2, entry.getKey());
                ps.setLong(3, window.start());
                ps.setInt(4, window.previous());
                ps.setInt(5, window.current());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        if (ThreadLocalRandom.current().nextInt(PRUNE_ONE_IN) == 0) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM key_rates WHERE queue = ? AND window_start < ?")) {
                ps.setString(1, queue);
                ps.setLong(2, now - 2 * rate.per().toMillis());
                ps.executeUpdate();
            }
        }
    }
}
