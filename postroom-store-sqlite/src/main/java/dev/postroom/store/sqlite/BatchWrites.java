package dev.postroom.store.sqlite;

import dev.postroom.store.jdbc.StateSql;
import dev.postroom.MessageState;
import dev.postroom.store.BatchCompletionPass;
import dev.postroom.store.BatchCounts;
import dev.postroom.store.jdbc.BatchRows;
import dev.postroom.store.CompletedBatch;
import dev.postroom.store.NewBatch;
import dev.postroom.store.SendOutcome;
import dev.postroom.store.StoredBatch;
import dev.postroom.store.jdbc.StoredJson;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * The batch writes of the embedded store, run by the {@link GroupCommitter} thread on the writer
 * connection inside its current transaction, as {@link MessageWrites} are: a batch's row and members
 * commit with the group they were submitted in, and a completion pass sees every write of its own
 * group (an ack submitted before it counts).
 */
final class BatchWrites {
    /** A member is pending while SCHEDULED or READY on disk (a leased row stays READY; see Leases). */
    static final String FINISHED = StateSql.expand("""
            SELECT id, queue, created_at, total, on_complete_queue, on_complete_payload, on_complete_headers
            FROM batches b WHERE completed_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.batch_id = b.id AND m.state IN ({WAITING}))
            ORDER BY created_at LIMIT ?""");

    private final Connection connection;
    private final StoredJson json;
    /**
     * False once a pass found no open batch, until the next batch is sent: the store's only writer
     * runs both, so while no batch is open a pass costs no statement at all.
     */
    private volatile boolean mayHaveOpen = true;

    BatchWrites(Connection connection, StoredJson json) {
        this.connection = connection;
        this.json = json;
    }

    List<SendOutcome> create(MessageWrites writes, NewBatch batch) throws SQLException {
        // The members first: send checks every queue before it writes, so a rejected batch writes nothing.
        List<SendOutcome> outcomes = writes.send(batch.members(), batch.id());
        try (PreparedStatement ps = connection.prepareStatement("""
                INSERT INTO batches (id, queue, created_at, total, on_complete_queue, on_complete_payload, on_complete_headers)
                VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
            ps.setString(1, batch.id());
            BatchRows.bindNew(ps, batch, json);
            ps.executeUpdate();
        }
        mayHaveOpen = true;
        return outcomes;
    }

    List<CompletedBatch> complete(MessageWrites writes, BatchCompletionPass pass) throws SQLException {
        if (!mayHaveOpen) {
            return List.of();
        }
        List<StoredBatch> finished;
        try (PreparedStatement ps = connection.prepareStatement(FINISHED)) {
            ps.setInt(1, pass.limit());
            finished = BatchRows.readOpen(ps, json);
        }
        if (finished.isEmpty()) {
            mayHaveOpen = anyOpen();
            return List.of();
        }
        try (PreparedStatement mark = connection.prepareStatement(
                "UPDATE batches SET completed_at = ?, completion_message_id = ? WHERE id = ? AND completed_at IS NULL")) {
            return BatchRows.complete(finished, pass, id -> counts(connection, id), writes::send, (id, message) -> {
                mark.setLong(1, pass.now().toEpochMilli());
                mark.setString(2, message == null ? null : message.id());
                mark.setString(3, id);
                mark.executeUpdate();
            });
        }
    }

    private boolean anyOpen() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT 1 FROM batches WHERE completed_at IS NULL LIMIT 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next();
        }
    }

    int forget(Instant before) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("""
                DELETE FROM batches WHERE completed_at IS NOT NULL AND completed_at < ?
                  AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.batch_id = batches.id)""")) {
            ps.setLong(1, before.toEpochMilli());
            return ps.executeUpdate();
        }
    }

    /** The batch's stored members by state, from messages_batch. */
    static BatchCounts counts(Connection c, String batchId) throws SQLException {
        long[] byState = new long[MessageState.values().length];
        try (PreparedStatement ps = c.prepareStatement("SELECT state, count(*) FROM messages WHERE batch_id = ? GROUP BY state")) {
            ps.setString(1, batchId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byState[rs.getInt(1)] = rs.getLong(2);
                }
            }
        }
        return BatchRows.counts(byState);
    }
}
