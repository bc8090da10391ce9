package dev.postroom.store.postgres;

import dev.postroom.store.jdbc.StateSql;
import dev.postroom.MessageState;
import dev.postroom.MessageSummary;
import dev.postroom.store.BatchCompletionPass;
import dev.postroom.store.BatchCounts;
import dev.postroom.store.jdbc.BatchRows;
import dev.postroom.store.BatchStore;
import dev.postroom.store.CompletedBatch;
import dev.postroom.store.NewBatch;
import dev.postroom.store.NewMessage;
import dev.postroom.store.SendOutcome;
import dev.postroom.store.StoreUnavailableException;
import dev.postroom.store.StoredBatch;

import javax.sql.DataSource;
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
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The PostgreSQL store's {@link BatchStore}. A batch and its members are one transaction. The
 * completion pass selects finished open batches {@code FOR UPDATE SKIP LOCKED}, so passes of several
 * nodes at once split them rather than both completing one; the UPDATE that marks a batch complete
 * is guarded by {@code completed_at IS NULL} as well, and commits with the completion message it
 * recorded: a batch's message is stored once, or (on any failure) not at all and the next pass tries
 * again.
 */
final class PostgresBatchStore implements BatchStore {
    private static final MessageState[] STATES = MessageState.values();
    private static final String COLUMNS = "id::text, queue, created_at, total, on_complete_queue, on_complete_payload, "
            + "on_complete_headers, completed_at, completion_message_id::text";
    /** Unfinished members are SCHEDULED, READY or IN_FLIGHT (a lease is in the row here). */
    private static final String FINISHED = StateSql.expand("""
            SELECT id::text, queue, created_at, total, on_complete_queue, on_complete_payload, on_complete_headers
            FROM batches b WHERE completed_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.batch_id = b.id AND m.state IN ({UNFINISHED}))
            ORDER BY created_at LIMIT ?
            FOR UPDATE OF b SKIP LOCKED""");

    private final PostgresMessageStore transactions;
    private final DataSource pool;
    private final MessageWrites writes;
    private final PostgresJson json;

    PostgresBatchStore(PostgresMessageStore transactions, DataSource pool, MessageWrites writes, PostgresJson json) {
        this.transactions = transactions;
        this.pool = pool;
        this.writes = writes;
        this.json = json;
    }

    @Override
    public CompletableFuture<List<SendOutcome>> create(NewBatch batch) {
        return transactions.submit(c -> {
            // The members first: send checks every queue before it writes.
            List<SendOutcome> outcomes = writes.send(c, batch.members(), batch.id());
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO batches (id, queue, created_at, total, on_complete_queue, on_complete_payload, on_complete_headers)
                    VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
                ps.setObject(1, UUID.fromString(batch.id()));
                BatchRows.bindNew(ps, batch, json);
                ps.executeUpdate();
            }
            return outcomes;
        });
    }

    @Override
    public CompletableFuture<List<CompletedBatch>> complete(BatchCompletionPass pass) {
        return transactions.submit(c -> {
            List<StoredBatch> finished;
            try (PreparedStatement ps = c.prepareStatement(FINISHED)) {
                ps.setInt(1, pass.limit());
                finished = BatchRows.readOpen(ps, json);
            }
            return BatchRows.complete(finished, pass, id -> counts(c, id), message -> writes.send(c, message),
                    (id, message) -> mark(c, id, message, pass));
        });
    }

    private static void mark(Connection c, String batchId, NewMessage message, BatchCompletionPass pass) throws SQLException {
        try (PreparedStatement mark = c.prepareStatement(
                "UPDATE batches SET completed_at = ?, completion_message_id = ? WHERE id = ? AND completed_at IS NULL")) {
            mark.setLong(1, pass.now().toEpochMilli());
            mark.setObject(2, message == null ? null : UUID.fromString(message.id()));
            mark.setObject(3, UUID.fromString(batchId));
            if (mark.executeUpdate() == 0) {
                // Locked by this pass, so it cannot happen; if it did, the message must not commit.
                throw new SQLException("batch " + batchId + " was completed by another pass meanwhile");
            }
        }
    }

    @Override
    public CompletableFuture<Integer> forget(Instant before) {
        return transactions.submit(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    DELETE FROM batches b WHERE completed_at IS NOT NULL AND completed_at < ?
                      AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.batch_id = b.id)""")) {
                ps.setLong(1, before.toEpochMilli());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Optional<StoredBatch> get(String id) {
        UUID key = IdBounds.parse(id);
        if (key == null) {
            return Optional.empty();
        }
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM batches WHERE id = ?")) {
            ps.setObject(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(BatchRows.read(rs, counts(c, id), json)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public List<StoredBatch> recent(String before, int limit) {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM batches"
                     + (before == null ? "" : " WHERE id < ?") + " ORDER BY id DESC LIMIT ?")) {
            int i = 1;
            if (before != null) {
                ps.setObject(i++, UUID.fromString(before));
            }
            ps.setInt(i, limit);
            List<StoredBatch> found = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(BatchRows.read(rs, null, json));
                }
            }
            Map<String, long[]> tally = new HashMap<>();
            if (!found.isEmpty()) {
                try (PreparedStatement counts = c.prepareStatement("SELECT batch_id::text, state, count(*) FROM messages "
                        + "WHERE batch_id = ANY(?) GROUP BY batch_id, state")) {
                    counts.setArray(1, c.createArrayOf("uuid", found.stream().map(b -> UUID.fromString(b.id())).toArray()));
                    try (ResultSet rs = counts.executeQuery()) {
                        while (rs.next()) {
                            tally.computeIfAbsent(rs.getString(1), k -> new long[STATES.length])[rs.getShort(2)] = rs.getLong(3);
                        }
                    }
                }
            }
            return BatchRows.withCounts(found, tally);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public List<MessageSummary> members(String id, String after, int limit) {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     SELECT id::text, queue, state, priority, ordering_key, attempt, max_attempts, enqueued_at, updated_at,
                            left(payload, %d), errors -> -1 ->> 'message'
                     FROM messages WHERE batch_id = ? AND id > ? ORDER BY id LIMIT ?""".formatted(MessageSummary.PREVIEW_CHARS))) {
            ps.setObject(1, UUID.fromString(id));
            ps.setObject(2, after == null ? new UUID(0L, 0L) : UUID.fromString(after)); // uuids compare unsigned
            ps.setInt(3, limit);
            List<MessageSummary> members = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    members.add(new MessageSummary(rs.getString(1), rs.getString(2), MessageState.fromCode(rs.getShort(3)), rs.getShort(4),
                            rs.getString(5), rs.getInt(6), rs.getInt(7), Instant.ofEpochMilli(rs.getLong(8)),
                            Instant.ofEpochMilli(rs.getLong(9)), rs.getString(10), rs.getString(11), id));
                }
            }
            return members;
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    private static BatchCounts counts(Connection c, String batchId) throws SQLException {
        long[] byState = new long[STATES.length];
        try (PreparedStatement ps = c.prepareStatement("SELECT state, count(*) FROM messages WHERE batch_id = ? GROUP BY state")) {
            ps.setObject(1, UUID.fromString(batchId));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byState[rs.getShort(1)] = rs.getLong(2);
                }
            }
        }
        return BatchRows.counts(byState);
    }

    private static StoreUnavailableException failed(SQLException e) {
        return new StoreUnavailableException("batch read failed: " + e.getMessage(), e);
    }
}
