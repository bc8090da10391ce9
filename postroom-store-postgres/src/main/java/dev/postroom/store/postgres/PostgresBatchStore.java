package dev.postroom.store.postgres;

import dev.postroom.MessageState;
import dev.postroom.MessageSummary;
import dev.postroom.QueueNotFoundException;
import dev.postroom.store.BatchCompletionPass;
import dev.postroom.store.BatchCounts;
import dev.postroom.store.BatchStore;
import dev.postroom.store.CompletedBatch;
import dev.postroom.store.NewBatch;
import dev.postroom.store.NewMessage;
import dev.postroom.store.OnComplete;
import dev.postroom.store.SendBatch;
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
    private static final String FINISHED = """
            SELECT id::text, queue, created_at, total, on_complete_queue, on_complete_payload, on_complete_headers
            FROM batches b WHERE completed_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.batch_id = b.id AND m.state IN (0, 1, 2))
            ORDER BY created_at LIMIT ?
            FOR UPDATE OF b SKIP LOCKED""";

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
                OnComplete onComplete = batch.onComplete();
                ps.setObject(1, UUID.fromString(batch.id()));
                ps.setString(2, batch.queue());
                ps.setLong(3, batch.members().now().toEpochMilli());
                ps.setInt(4, batch.members().messages().size());
                ps.setString(5, onComplete == null ? null : onComplete.queue());
                ps.setString(6, onComplete == null ? null : onComplete.payloadJson());
                ps.setString(7, onComplete == null ? null : json.writeHeaders(onComplete.headers()));
                ps.executeUpdate();
            }
            return outcomes;
        });
    }

    @Override
    public CompletableFuture<List<CompletedBatch>> complete(BatchCompletionPass pass) {
        return transactions.submit(c -> {
            List<StoredBatch> finished = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(FINISHED)) {
                ps.setInt(1, pass.limit());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        OnComplete onComplete = rs.getString(5) == null ? null
                                : new OnComplete(rs.getString(5), rs.getString(6), json.readHeaders(rs.getString(7)));
                        finished.add(new StoredBatch(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)),
                                rs.getInt(4), null, onComplete, null, null));
                    }
                }
            }
            List<CompletedBatch> completed = new ArrayList<>(finished.size());
            for (StoredBatch found : finished) {
                StoredBatch batch = new StoredBatch(found.id(), found.queue(), found.createdAt(), found.total(),
                        counts(c, found.id()), found.onComplete(), null, null);
                NewMessage message = batch.onComplete() == null ? null : pass.completionMessage().apply(batch);
                if (message != null && !stored(c, message, pass)) {
                    message = null;
                }
                try (PreparedStatement mark = c.prepareStatement(
                        "UPDATE batches SET completed_at = ?, completion_message_id = ? WHERE id = ? AND completed_at IS NULL")) {
                    mark.setLong(1, pass.now().toEpochMilli());
                    mark.setObject(2, message == null ? null : UUID.fromString(message.id()));
                    mark.setObject(3, UUID.fromString(batch.id()));
                    if (mark.executeUpdate() == 0) {
                        // Locked by this pass, so it cannot happen; if it did, the message must not commit.
                        throw new SQLException("batch " + batch.id() + " was completed by another pass meanwhile");
                    }
                }
                completed.add(new CompletedBatch(batch.id(), message == null ? null : message.id(),
                        message == null ? null : message.queue()));
            }
            return completed;
        });
    }

    /** Stores the completion message; false when its queue is gone (send checks before it writes). */
    private boolean stored(Connection c, NewMessage message, BatchCompletionPass pass) throws SQLException {
        try {
            writes.send(c, new SendBatch(List.of(message), pass.now(), pass.node()));
            return true;
        } catch (QueueNotFoundException e) {
            return false;
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
                return rs.next() ? Optional.of(batch(rs, counts(c, id))) : Optional.empty();
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
                    found.add(batch(rs, null));
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
            List<StoredBatch> result = new ArrayList<>(found.size());
            for (StoredBatch b : found) {
                result.add(new StoredBatch(b.id(), b.queue(), b.createdAt(), b.total(),
                        counts(tally.getOrDefault(b.id(), new long[STATES.length])), b.onComplete(), b.completedAt(),
                        b.completionMessageId()));
            }
            return result;
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
                    members.add(new MessageSummary(rs.getString(1), rs.getString(2), STATES[rs.getShort(3)], rs.getShort(4),
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
        return counts(byState);
    }

    private static BatchCounts counts(long[] byState) {
        return new BatchCounts(byState[MessageState.SCHEDULED.ordinal()] + byState[MessageState.READY.ordinal()]
                + byState[MessageState.IN_FLIGHT.ordinal()], byState[MessageState.SUCCEEDED.ordinal()],
                byState[MessageState.DEAD.ordinal()], byState[MessageState.CANCELLED.ordinal()]);
    }

    private StoredBatch batch(ResultSet rs, BatchCounts counts) throws SQLException {
        OnComplete onComplete = rs.getString(5) == null ? null
                : new OnComplete(rs.getString(5), rs.getString(6), json.readHeaders(rs.getString(7)));
        long completedAt = rs.getLong(8);
        Instant completed = rs.wasNull() ? null : Instant.ofEpochMilli(completedAt);
        return new StoredBatch(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)), rs.getInt(4), counts,
                onComplete, completed, rs.getString(9));
    }

    private static StoreUnavailableException failed(SQLException e) {
        return new StoreUnavailableException("batch read failed: " + e.getMessage(), e);
    }
}
