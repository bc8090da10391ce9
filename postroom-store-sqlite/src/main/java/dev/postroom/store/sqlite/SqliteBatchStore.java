package dev.postroom.store.sqlite;

import dev.postroom.MessageState;
import dev.postroom.MessageSummary;
import dev.postroom.store.MessageIds;
import dev.postroom.store.BatchCompletionPass;
import dev.postroom.store.jdbc.BatchRows;
import dev.postroom.store.BatchStore;
import dev.postroom.store.CompletedBatch;
import dev.postroom.store.NewBatch;
import dev.postroom.store.SendOutcome;
import dev.postroom.store.StoreUnavailableException;
import dev.postroom.store.StoredBatch;
import dev.postroom.store.jdbc.StoredJson;

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
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * The embedded store's {@link BatchStore}: writes go through the {@link GroupCommitter} like every
 * other write ({@link BatchWrites}), reads run on the reader pool. Counts come from
 * {@code messages_batch} (V7), so a batch of a thousand members is counted from one index range.
 */
final class SqliteBatchStore implements BatchStore {
    private static final MessageState[] STATES = MessageState.values();
    private static final String COLUMNS = "id, queue, created_at, total, on_complete_queue, on_complete_payload, "
            + "on_complete_headers, completed_at, completion_message_id";

    private final GroupCommitter committer;
    private final BatchWrites writes;
    private final DataSource readers;
    private final StoredJson json;
    private final Leases leases;

    SqliteBatchStore(GroupCommitter committer, BatchWrites writes, DataSource readers, StoredJson json, Leases leases) {
        this.committer = committer;
        this.writes = writes;
        this.readers = readers;
        this.json = json;
        this.leases = leases;
    }

    @Override
    public CompletableFuture<List<SendOutcome>> create(NewBatch batch) {
        return committer.submit(w -> writes.create(w, batch));
    }

    @Override
    public CompletableFuture<List<CompletedBatch>> complete(BatchCompletionPass pass) {
        return committer.submit(w -> writes.complete(w, pass));
    }

    @Override
    public CompletableFuture<Integer> forget(Instant before) {
        return committer.submit(w -> writes.forget(before));
    }

    @Override
    public Optional<StoredBatch> get(String id) {
        try (Connection c = readers.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM batches WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(BatchRows.read(rs, BatchWrites.counts(c, id), json)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("read failed: " + e.getMessage(), e);
        }
    }

    @Override
    public List<StoredBatch> recent(String before, int limit) {
        try (Connection c = readers.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM batches"
                     + (before == null ? "" : " WHERE id < ?") + " ORDER BY id DESC LIMIT ?")) {
            int i = 1;
            if (before != null) {
                ps.setString(i++, before);
            }
            ps.setInt(i, limit);
            List<StoredBatch> found = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(BatchRows.read(rs, null, json));
                }
            }
            Map<String, long[]> tally = tally(c, found.stream().map(StoredBatch::id).toList());
            return BatchRows.withCounts(found, tally);
        } catch (SQLException e) {
            throw new StoreUnavailableException("read failed: " + e.getMessage(), e);
        }
    }

    /** The members of {@code ids} by batch and state, in one read of messages_batch. */
    private static Map<String, long[]> tally(Connection c, List<String> ids) throws SQLException {
        Map<String, long[]> tally = new HashMap<>();
        if (ids.isEmpty()) {
            return tally;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT batch_id, state, count(*) FROM messages "
                + "WHERE batch_id IN (SELECT value FROM json_each(?)) GROUP BY batch_id, state")) {
            ps.setString(1, ids.stream().map(id -> '"' + id + '"').collect(Collectors.joining(",", "[", "]")));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tally.computeIfAbsent(rs.getString(1), k -> new long[STATES.length])[rs.getInt(2)] = rs.getLong(3);
                }
            }
        }
        return tally;
    }

    @Override
    public List<MessageSummary> members(String id, String after, int limit) {
        try (Connection c = readers.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     SELECT seq, id, queue, state, priority, ordering_key, attempt, max_attempts, enqueued_at, updated_at,
                            substr(payload, 1, %d), json_extract(errors, '$[#-1].message')
                     FROM messages WHERE batch_id = ? AND seq > ? ORDER BY seq LIMIT ?""".formatted(MessageSummary.PREVIEW_CHARS))) {
            ps.setString(1, id);
            ps.setLong(2, after == null ? Long.MIN_VALUE : MessageIds.sequenceOf(after));
            ps.setInt(3, limit);
            List<MessageSummary> members = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    MessageState state = MessageState.fromCode(rs.getInt(4));
                    // Leased in memory, READY on disk (see Leases), as MessageReads reports it.
                    Leases.Lease lease = state == MessageState.READY ? leases.live(rs.getLong(1)) : null;
                    members.add(new MessageSummary(rs.getString(2), rs.getString(3), lease == null ? state : MessageState.IN_FLIGHT,
                            rs.getInt(5), rs.getString(6), lease == null ? rs.getInt(7) : lease.attempt, rs.getInt(8),
                            Instant.ofEpochMilli(rs.getLong(9)), Instant.ofEpochMilli(lease == null ? rs.getLong(10) : lease.claimedAt),
                            rs.getString(11), rs.getString(12), id));
                }
            }
            return members;
        } catch (SQLException e) {
            throw new StoreUnavailableException("read failed: " + e.getMessage(), e);
        }
    }
}
