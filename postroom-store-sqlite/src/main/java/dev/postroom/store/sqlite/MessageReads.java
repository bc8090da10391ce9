package dev.postroom.store.sqlite;

import dev.postroom.store.jdbc.Dialect;
import dev.postroom.store.jdbc.Statements;
import dev.postroom.store.jdbc.StateSql;
import dev.postroom.store.jdbc.WorkflowRows;
import dev.postroom.store.jdbc.StoredJson;
import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.Progress;
import dev.postroom.TimelineEntry;
import dev.postroom.store.MessageIds;
import dev.postroom.store.StoreUnavailableException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads of the embedded store, on pooled connections beside the writer (WAL lets them run concurrently). */
final class MessageReads {
    /** When a queue's first SCHEDULED message is due. Parameter: queue. */
    private static final String NEXT_DUE = StateSql.expand("SELECT min(available_at) FROM messages WHERE queue = ? AND state = {SCHEDULED}"
            // Held workflow steps are SCHEDULED but never due (see WorkflowStore.HELD).
            + " AND available_at < " + WorkflowRows.HELD);

    private final DataSource readers;
    private final StoredJson json;
    private final Leases leases;

    MessageReads(DataSource readers, StoredJson json, Leases leases) {
        this.readers = readers;
        this.json = json;
        this.leases = leases;
    }

    /** A message by seq and id, its timeline spelled out where the row implies it. */
    private static final String GET = """
                     SELECT id, queue, state, payload, headers, priority, ordering_key, idempotency_key, attempt,
                            max_attempts, enqueued_at, available_at, expires_at, batch_id, result,
                            progress_percent, progress_note, errors, %s, snoozes
                     FROM messages WHERE seq = ? AND id = ?""".formatted(Dialect.SQLITE.timeline());

    Optional<Message> get(String id) {
        long seq;
        try {
            seq = MessageIds.sequenceOf(id);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        try (Connection c = readers.getConnection();
             PreparedStatement ps = c.prepareStatement(GET)) {
            // Look at the lease before the row: a lease settled meanwhile shows as the row's new state.
            Leases.Lease lease = leases.any(seq);
            ps.setLong(1, seq);
            ps.setString(2, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Integer percent = (Integer) rs.getObject(16);
                String note = rs.getString(17);
                MessageState state = MessageState.fromCode(rs.getInt(3));
                int attempt = rs.getInt(9);
                Instant leaseExpiresAt = null;
                List<TimelineEntry> timeline = json.readTimeline(rs.getString(19));
                boolean leased = lease != null && lease.id.equals(id)
                        && (state == MessageState.READY || (state == MessageState.SCHEDULED && !lease.settled));
                if (leased) {
                    // Leased in memory; the row on disk stays READY until the lease is settled (or is
                    // still SCHEDULED on disk while the claim that promoted it commits).
                    state = MessageState.IN_FLIGHT;
                    attempt = lease.attempt;
                    leaseExpiresAt = Instant.ofEpochMilli(lease.expiresAt);
                    timeline = new ArrayList<>(timeline);
                    timeline.add(new TimelineEntry(Instant.ofEpochMilli(lease.claimedAt), MessageState.IN_FLIGHT, lease.node,
                            lease.attempt, "leased"));
                }
                return Optional.of(new Message(rs.getString(1), rs.getString(2), state,
                        rs.getString(4), json.readHeaders(rs.getString(5)), rs.getInt(6), rs.getString(7), rs.getString(8),
                        attempt, rs.getInt(10), instant(rs, 11), instant(rs, 12), instant(rs, 13), leaseExpiresAt,
                        rs.getString(15), percent == null && note == null ? null : new Progress(percent, note),
                        json.readErrors(rs.getString(18)), timeline, rs.getString(14), rs.getInt(20)));
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("read failed: " + e.getMessage(), e);
        }
    }

    Optional<Instant> nextDue(String queue) {
        return single(NEXT_DUE, queue)
                .map(v -> Instant.ofEpochMilli(Long.parseLong(v)));
    }

    /**
     * The first row of messages_ready_since that no lease holds. The leases are looked at before
     * the rows: a row leased after that shows as ready, as it was when this read began; a lease
     * settled meanwhile hides its row, whose new state is not READY or has a later available_at.
     */
    Optional<Instant> oldestReady(String queue) {
        Map<Long, Leases.Lease> leased = leases.byRow(queue);
        try (Connection c = readers.getConnection(); PreparedStatement ps = c.prepareStatement(OLDEST_READY)) {
            ps.setString(1, queue);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!leased.containsKey(rs.getLong(1))) {
                        return Optional.of(Instant.ofEpochMilli(rs.getLong(2)));
                    }
                }
                return Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("read failed: " + e.getMessage(), e);
        }
    }

    /** Read lazily, row by row, so that skipping the leased rows at the head costs one step each. */
    static final String OLDEST_READY = StateSql.expand("""
            SELECT seq, available_at FROM messages INDEXED BY messages_ready_since
            WHERE queue = ? AND state = {READY} ORDER BY available_at, seq""");

    Optional<String> latestMessageId() {
        return single("SELECT id FROM messages ORDER BY seq DESC LIMIT 1", null);
    }

    private Optional<String> single(String sql, String parameter) {
        return Statements.single(readers, sql, parameter);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(value);
    }
}
