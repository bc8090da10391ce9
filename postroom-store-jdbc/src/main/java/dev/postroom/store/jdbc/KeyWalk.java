package dev.postroom.store.jdbc;

import dev.postroom.KeyLimit;
import dev.postroom.store.KeyRoundRobin;
import dev.postroom.store.RateWindow;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

/**
 * The walk over a queue's keys that both SQL stores make for a claim with per-key limits
 * ({@link KeyRoundRobin}): the next key with a READY message from an index, and how many more
 * messages a key may have now, by its in-flight cap and its rate window. A store supplies where
 * a key's rate window and its deliverable rows come from.
 *
 * @param <C> what a store leases a picked row by
 */
public abstract class KeyWalk<C> implements KeyRoundRobin.Keys<C, SQLException> {
    private final PreparedStatement firstKey;
    private final PreparedStatement nextKey;
    private final String queue;
    private final KeyLimit perKey;
    private final Map<String, Integer> inFlight;
    private final long now;
    private long rateDue = Long.MAX_VALUE;

    /**
     * @param firstKey the queue's smallest key with a READY message; parameter: queue
     * @param nextKey  the smallest such key above one; parameters: queue, key
     * @param inFlight messages of the queue in flight now, by key
     * @param now      the claim's time, epoch milliseconds
     */
    protected KeyWalk(PreparedStatement firstKey, PreparedStatement nextKey, String queue, KeyLimit perKey,
                      Map<String, Integer> inFlight, long now) {
        this.firstKey = firstKey;
        this.nextKey = nextKey;
        this.queue = queue;
        this.perKey = perKey;
        this.inFlight = inFlight;
        this.now = now;
    }

    @Override
    public final String after(String key) throws SQLException {
        PreparedStatement ps = key == null ? firstKey : nextKey;
        ps.setString(1, queue);
        if (key != null) {
            ps.setString(2, key);
        }
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Override
    public final int allowance(String key) throws SQLException {
        int allowed = Integer.MAX_VALUE;
        if (perKey.maxInFlight() != null) {
            allowed = perKey.maxInFlight() - inFlight.getOrDefault(key, 0);
        }
        if (perKey.rateLimit() != null && allowed > 0) {
            RateWindow window = window(key);
            int byRate = window.available(perKey.rateLimit(), now);
            if (byRate <= 0) {
                rateDue = Math.min(rateDue, window.nextAvailableAt(perKey.rateLimit(), now));
            }
            allowed = Math.min(allowed, byRate);
        }
        return Math.max(0, allowed);
    }

    /** The rate window of {@code key} as it stands, read only for keys under their in-flight cap. */
    protected abstract RateWindow window(String key) throws SQLException;

    /** When the first key held back by its rate may have a message again (epoch ms); {@link Long#MAX_VALUE} if none was. */
    public final long rateDue() {
        return rateDue;
    }
}
