package dev.postroom.store.postgres;

import dev.postroom.store.jdbc.Dialect;
import dev.postroom.store.jdbc.Statements;
import dev.postroom.store.jdbc.StateSql;
import dev.postroom.store.jdbc.WorkflowRows;
import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.Progress;
import dev.postroom.StateCounts;
import dev.postroom.store.StoreUnavailableException;
import dev.postroom.store.StoredQueue;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Synchronous reads, each one statement on a pooled connection (autocommit), so each sees one
 * committed snapshot. Nothing is cached: another node may have changed any row.
 */
final class MessageReads {
    /** When a queue's first SCHEDULED message is due. Parameter: queue. */
    private static final String NEXT_DUE = StateSql.expand("SELECT min(available_at)::text FROM messages WHERE queue = ? AND state = {SCHEDULED}"
            // Held workflow steps are SCHEDULED but never due (see WorkflowStore.HELD).
            + " AND available_at < " + WorkflowRows.HELD);
    /** Since when a queue's oldest READY message waits. Parameter: queue. */
    private static final String OLDEST_READY = StateSql.expand("SELECT min(available_at)::text FROM messages WHERE queue = ? AND state = {READY}");

    private static final MessageState[] STATES = MessageState.values();
    /** The state column of the per-queue count of every row, in {@link #counts}. */
    private static final short ALL_ROWS = -1;

    private final DataSource pool;
    private final PostgresJson json;

    MessageReads(DataSource pool, PostgresJson json) {
        this.pool = pool;
        this.json = json;
    }

    Optional<StoredQueue> queue(String name) {
        List<StoredQueue> found = queues("SELECT name, policy, paused, created_at FROM queues WHERE name = ?", name);
        return found.stream().findFirst();
    }

    List<StoredQueue> queues() {
        return queues("SELECT name, policy, paused, created_at FROM queues ORDER BY name", null);
    }

    private List<StoredQueue> queues(String sql, String parameter) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (parameter != null) {
                ps.setString(1, parameter);
            }
            List<StoredQueue> queues = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    queues.add(new StoredQueue(rs.getString(1), json.readPolicy(rs.getString(2)), rs.getBoolean(3),
                            Instant.ofEpochMilli(rs.getLong(4))));
                }
            }
            return queues;
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /**
     * Exact per-state counts of every queue, counting only {@code states} (the others read 0), in
     * one statement: one snapshot, so they add up. Each state is counted from the smallest index
     * that holds it: SCHEDULED from messages_scheduled, READY from messages_ready, IN_FLIGHT from
     * messages_leased, DEAD and CANCELLED from messages_state. These are partial indexes of the
     * unfinished and failed rows, so counting those states costs what those rows cost, however
     * long the history kept. SUCCEEDED, the bulk, has no index of its own (every ack would pay to
     * maintain one): it is every row of the queue less the others, counted over messages_queue, an
     * index-only scan where the visibility map allows. Its cost grows with the retained messages,
     * so callers that do not need it (metrics gauges) should not ask for it.
     */
    Map<String, StateCounts> counts(Set<MessageState> states) {
        boolean succeeded = states.contains(MessageState.SUCCEEDED);
        StringBuilder sql = new StringBuilder("SELECT name, NULL::smallint, 0::bigint FROM queues");
        for (MessageState state : List.of(MessageState.SCHEDULED, MessageState.READY, MessageState.IN_FLIGHT,
                MessageState.DEAD, MessageState.CANCELLED)) {
            // The succeeded count is the rest of the rows: every other state must be known for it.
            if (succeeded || states.contains(state)) {
                sql.append(" UNION ALL SELECT queue, ").append(state.code()).append("::smallint, count(*) FROM messages WHERE state = ")
                        .append(state.code()).append(" GROUP BY queue");
            }
        }
        if (succeeded) {
            sql.append(" UNION ALL SELECT queue, ").append(ALL_ROWS).append("::smallint, count(*) FROM messages GROUP BY queue");
        }
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            Set<String> queues = new HashSet<>();
            Map<String, long[]> tally = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String queue = rs.getString(1);
                    short state = rs.getShort(2);
                    if (rs.wasNull()) {
                        queues.add(queue);
                    } else {
                        tally.computeIfAbsent(queue, q -> new long[STATES.length + 1])[state == ALL_ROWS ? STATES.length : state] = rs.getLong(3);
                    }
                }
            }
            // Only queues that exist: rows sent to a queue while it was deleted are not counted.
            Map<String, StateCounts> result = new HashMap<>();
            for (String queue : queues) {
                long[] n = tally.getOrDefault(queue, new long[STATES.length + 1]);
                if (succeeded) {
                    long others = 0;
                    for (MessageState state : STATES) {
                        others += state == MessageState.SUCCEEDED ? 0 : n[state.code()];
                    }
                    n[MessageState.SUCCEEDED.code()] = n[STATES.length] - others;
                }
                for (MessageState state : STATES) {
                    if (!states.contains(state)) {
                        n[state.code()] = 0;
                    }
                }
                result.put(queue, new StateCounts(n[MessageState.SCHEDULED.code()], n[MessageState.READY.code()],
                        n[MessageState.IN_FLIGHT.code()], n[MessageState.SUCCEEDED.code()], n[MessageState.DEAD.code()],
                        n[MessageState.CANCELLED.code()]));
            }
            return result;
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** A message by id, its timeline spelled out where the row implies it. */
    private static final String GET = """
                     SELECT id, queue, state, payload, headers, priority, ordering_key, idempotency_key, attempt,
                            max_attempts, enqueued_at, available_at, expires_at, lease_expires_at, result,
                            progress_percent, progress_note, errors, %s, batch_id::text, snoozes
                     FROM messages WHERE id = ?""".formatted(Dialect.POSTGRES.timeline());

    Optional<Message> get(String idText) {
        UUID id = IdBounds.parse(idText);
        if (id == null) {
            return Optional.empty();
        }
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement(GET)) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                MessageState state = MessageState.fromCode(rs.getShort(3));
                Integer percent = (Integer) rs.getObject(16);
                String note = rs.getString(17);
                return Optional.of(new Message(rs.getString(1), rs.getString(2), state,
                        rs.getString(4), json.readHeaders(rs.getString(5)), rs.getShort(6), rs.getString(7), rs.getString(8),
                        rs.getInt(9), rs.getInt(10), instant(rs, 11), instant(rs, 12), instant(rs, 13),
                        state == MessageState.IN_FLIGHT ? instant(rs, 14) : null,
                        rs.getString(15), percent == null && note == null ? null : new Progress(percent, note),
                        json.readErrors(rs.getString(18)), json.readTimeline(rs.getString(19)), rs.getString(20), rs.getInt(21)));
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    Optional<String> latestMessageId() {
        return single("SELECT id::text FROM messages ORDER BY id DESC LIMIT 1", null);
    }

    Optional<Instant> nextDue(String queue) {
        return single(NEXT_DUE, queue)
                .map(v -> Instant.ofEpochMilli(Long.parseLong(v)));
    }

    /** The first entry of messages_ready_since: leased rows are IN_FLIGHT, so they are not in it. */
    Optional<Instant> oldestReady(String queue) {
        return single(OLDEST_READY, queue)
                .map(v -> Instant.ofEpochMilli(Long.parseLong(v)));
    }

    private Optional<String> single(String sql, String parameter) {
        return Statements.single(pool, sql, parameter);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(value);
    }

    private static StoreUnavailableException failed(SQLException e) {
        return new StoreUnavailableException("read failed: " + e.getMessage(), e);
    }
}
