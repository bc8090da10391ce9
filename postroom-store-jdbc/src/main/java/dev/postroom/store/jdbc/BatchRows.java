package dev.postroom.store.jdbc;

import dev.postroom.store.StoredBatch;
import dev.postroom.store.SendBatch;
import dev.postroom.store.OnComplete;
import dev.postroom.store.NewMessage;
import dev.postroom.store.NewBatch;
import dev.postroom.store.CompletedBatch;
import dev.postroom.store.BatchStore;
import dev.postroom.store.BatchCounts;
import dev.postroom.store.BatchCompletionPass;
import dev.postroom.MessageState;
import dev.postroom.QueueNotFoundException;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * For store implementations: what every store's {@link BatchStore} does the same way, so that each
 * store keeps only its SQL (and its id type). The batches table has the same columns on every store
 * ({@code id, queue, created_at, total, on_complete_queue, on_complete_payload, on_complete_headers,
 * completed_at, completion_message_id}, times in epoch milliseconds); members are counted by
 * {@link MessageState} ordinal.
 */
public final class BatchRows {

    /** Stores a completion message in the store's current transaction, checking its queue before it writes. */
    @FunctionalInterface
    public interface Sender {
        void send(SendBatch message) throws SQLException;
    }

    /** Counts a batch's stored members in the store's current transaction. */
    @FunctionalInterface
    public interface Counter {
        BatchCounts count(String batchId) throws SQLException;
    }

    /**
     * Marks a batch complete, with its completion message (or null), in the store's current transaction;
     * the store guards the update with {@code completed_at IS NULL}.
     */
    @FunctionalInterface
    public interface Marker {
        void mark(String batchId, NewMessage completionMessage) throws SQLException;
    }

    private BatchRows() {
    }

    /**
     * Binds parameters 2 to 7 of the batch's insert ({@code queue, created_at, total, on_complete_queue,
     * on_complete_payload, on_complete_headers}); the store binds parameter 1, the id, in its own type.
     */
    public static void bindNew(PreparedStatement ps, NewBatch batch, StoredJson json) throws SQLException {
        OnComplete onComplete = batch.onComplete();
        ps.setString(2, batch.queue());
        ps.setLong(3, batch.members().now().toEpochMilli());
        ps.setInt(4, batch.members().messages().size());
        ps.setString(5, onComplete == null ? null : onComplete.queue());
        ps.setString(6, onComplete == null ? null : onComplete.payloadJson());
        ps.setString(7, onComplete == null || onComplete.headers().isEmpty() ? null : json.writeHeaders(onComplete.headers()));
    }

    /** The row {@code rs} is on: all nine columns, in table order, with {@code counts} (or null). */
    public static StoredBatch read(ResultSet rs, BatchCounts counts, StoredJson json) throws SQLException {
        long completedAt = rs.getLong(8);
        Instant completed = rs.wasNull() ? null : Instant.ofEpochMilli(completedAt);
        return new StoredBatch(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)), rs.getInt(4), counts,
                onComplete(rs, json), completed, rs.getString(9));
    }

    /** Every row {@code ps} selects: the first seven columns, in table order, of open batches, uncounted. */
    public static List<StoredBatch> readOpen(PreparedStatement ps, StoredJson json) throws SQLException {
        List<StoredBatch> open = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                open.add(new StoredBatch(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)),
                        rs.getInt(4), null, onComplete(rs, json), null, null));
            }
        }
        return open;
    }

    /** Counts from members by state, indexed by {@linkplain MessageState#code() state code}. */
    public static BatchCounts counts(long[] byState) {
        return new BatchCounts(byState[MessageState.SCHEDULED.code()] + byState[MessageState.READY.code()]
                + byState[MessageState.IN_FLIGHT.code()], byState[MessageState.SUCCEEDED.code()],
                byState[MessageState.DEAD.code()], byState[MessageState.CANCELLED.code()]);
    }

    /** {@code found} with its counts from {@code tally} (members by batch id, then state code; none where absent). */
    public static List<StoredBatch> withCounts(List<StoredBatch> found, Map<String, long[]> tally) {
        List<StoredBatch> result = new ArrayList<>(found.size());
        for (StoredBatch b : found) {
            result.add(new StoredBatch(b.id(), b.queue(), b.createdAt(), b.total(),
                    counts(tally.getOrDefault(b.id(), new long[MessageState.values().length])), b.onComplete(),
                    b.completedAt(), b.completionMessageId()));
        }
        return result;
    }

    /**
     * {@link BatchStore#complete}, once the store has selected the {@code finished} batches: counts
     * each, has the pass make its completion message where one was asked for, stores it (dropped if
     * its queue is gone), marks the batch complete and says what it did.
     */
    public static List<CompletedBatch> complete(List<StoredBatch> finished, BatchCompletionPass pass, Counter counter,
                                                Sender sender, Marker marker) throws SQLException {
        List<CompletedBatch> completed = new ArrayList<>(finished.size());
        for (StoredBatch found : finished) {
            StoredBatch batch = new StoredBatch(found.id(), found.queue(), found.createdAt(), found.total(),
                    counter.count(found.id()), found.onComplete(), null, null);
            NewMessage message = batch.onComplete() == null ? null : pass.completionMessage().apply(batch);
            if (message != null && !stored(sender, message, pass)) {
                message = null;
            }
            marker.mark(batch.id(), message);
            completed.add(new CompletedBatch(batch.id(), message == null ? null : message.id(),
                    message == null ? null : message.queue()));
        }
        return completed;
    }

    /** Stores the completion message; false when its queue is gone (send checks before it writes). */
    private static boolean stored(Sender sender, NewMessage message, BatchCompletionPass pass) throws SQLException {
        try {
            sender.send(new SendBatch(List.of(message), pass.now(), pass.node()));
            return true;
        } catch (QueueNotFoundException e) {
            return false;
        }
    }

    private static OnComplete onComplete(ResultSet rs, StoredJson json) throws SQLException {
        return rs.getString(5) == null ? null : new OnComplete(rs.getString(5), rs.getString(6), json.readHeaders(rs.getString(7)));
    }
}
