package dev.postroom.store.sqlite;

import dev.postroom.MissedRuns;
import dev.postroom.QueueNotFoundException;
import dev.postroom.ScheduleNotFoundException;
import dev.postroom.store.NewMessage;
import dev.postroom.store.ScheduleFire;
import dev.postroom.store.ScheduleFiring;
import dev.postroom.store.SchedulePut;
import dev.postroom.store.ScheduleRun;
import dev.postroom.store.ScheduleStore;
import dev.postroom.store.ScheduleToggle;
import dev.postroom.store.SendBatch;
import dev.postroom.store.SendOutcome;
import dev.postroom.store.StoreUnavailableException;
import dev.postroom.store.StoredJson;
import dev.postroom.store.StoredQueue;
import dev.postroom.store.StoredSchedule;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The embedded store's schedules. Writes run as commands of the {@link GroupCommitter}, on the one
 * writer connection inside its transaction: a due schedule's message goes in through
 * {@link MessageWrites#send} and the schedule's advance beside it, so they commit together, and since
 * there is one writer, two passes can never take the same run. Reads use the reader pool.
 */
final class SqliteSchedules implements ScheduleStore {
    private static final String COLUMNS = "name, cron, timezone, queue, payload, headers, missed_runs, paused, next_run_at, "
            + "last_run_at, last_message_id, created_at, updated_at";

    private final GroupCommitter committer;
    private final Connection writer;
    private final DataSource readers;
    private final StoredJson json;
    /** The store's queues, which the writer keeps as of its current transaction. */
    private final Map<String, StoredQueue> queues;

    SqliteSchedules(GroupCommitter committer, Connection writer, DataSource readers, StoredJson json, Map<String, StoredQueue> queues) {
        this.committer = committer;
        this.writer = writer;
        this.readers = readers;
        this.json = json;
        this.queues = queues;
    }

    @Override
    public CompletableFuture<Boolean> put(SchedulePut put) {
        return committer.submit(w -> {
            if (!queues.containsKey(put.queue())) {
                throw new QueueNotFoundException(put.queue());
            }
            StoredSchedule existing = find(writer, put.name());
            write(put.applyTo(existing));
            return existing == null;
        });
    }

    @Override
    public Optional<StoredSchedule> get(String name) {
        try (Connection c = readers.getConnection()) {
            return Optional.ofNullable(find(c, name));
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public List<StoredSchedule> list() {
        try (Connection c = readers.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM schedules ORDER BY name")) {
            return read(ps);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public CompletableFuture<StoredSchedule> setPaused(ScheduleToggle toggle) {
        return committer.submit(w -> {
            StoredSchedule existing = find(writer, toggle.name());
            if (existing == null) {
                throw new ScheduleNotFoundException(toggle.name());
            }
            StoredSchedule toggled = toggle.applyTo(existing);
            if (toggled != existing) {
                write(toggled);
            }
            return toggled;
        });
    }

    @Override
    public CompletableFuture<Boolean> delete(String name) {
        return committer.submit(w -> {
            try (PreparedStatement ps = writer.prepareStatement("DELETE FROM schedules WHERE name = ?")) {
                ps.setString(1, name);
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public CompletableFuture<List<ScheduleFiring>> fireDue(ScheduleFire fire) {
        return committer.submit(w -> {
            List<StoredSchedule> due;
            try (PreparedStatement ps = writer.prepareStatement("SELECT " + COLUMNS
                    + " FROM schedules WHERE next_run_at <= ? ORDER BY next_run_at, name LIMIT ?")) {
                ps.setLong(1, fire.now().toEpochMilli());
                ps.setInt(2, fire.max());
                due = read(ps);
            }
            List<ScheduleFiring> firings = new ArrayList<>(due.size());
            for (StoredSchedule schedule : due) {
                ScheduleRun run = fire.planner().plan(schedule, fire.now());
                SendOutcome sent = null;
                String note = run.note();
                if (run.message() != null) {
                    try {
                        sent = send(w, run.message(), fire);
                    } catch (QueueNotFoundException e) {
                        note = "queue " + schedule.queue() + " does not exist";
                    }
                }
                write(run.applyTo(schedule, sent));
                firings.add(new ScheduleFiring(schedule.name(), schedule.queue(), sent == null ? null : run.runAt(), sent, note,
                        run.nextRunAt()));
            }
            return firings;
        });
    }

    /** MessageWrites.send checks its queue before it writes, so a missing queue leaves the transaction as it was. */
    private static SendOutcome send(MessageWrites writes, NewMessage message, ScheduleFire fire) throws SQLException {
        return writes.send(new SendBatch(List.of(message), fire.now(), fire.node())).getFirst();
    }

    private void write(StoredSchedule s) throws SQLException {
        try (PreparedStatement ps = writer.prepareStatement("INSERT OR REPLACE INTO schedules (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, s.name());
            ps.setString(2, s.cron());
            ps.setString(3, s.timezone());
            ps.setString(4, s.queue());
            ps.setString(5, s.payloadJson());
            ps.setString(6, s.headers().isEmpty() ? null : json.writeHeaders(s.headers()));
            ps.setString(7, s.missedRuns().wireName());
            ps.setInt(8, s.paused() ? 1 : 0);
            setMillis(ps, 9, s.nextRunAt());
            setMillis(ps, 10, s.lastRunAt());
            ps.setString(11, s.lastMessageId());
            ps.setLong(12, s.createdAt().toEpochMilli());
            ps.setLong(13, s.updatedAt().toEpochMilli());
            ps.executeUpdate();
        }
    }

    private StoredSchedule find(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM schedules WHERE name = ?")) {
            ps.setString(1, name);
            List<StoredSchedule> found = read(ps);
            return found.isEmpty() ? null : found.getFirst();
        }
    }

    private List<StoredSchedule> read(PreparedStatement ps) throws SQLException {
        List<StoredSchedule> schedules = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                schedules.add(new StoredSchedule(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), json.readHeaders(rs.getString(6)), MissedRuns.parse("missed_runs", rs.getString(7)),
                        rs.getInt(8) != 0, millis(rs, 9), millis(rs, 10), rs.getString(11), millis(rs, 12), millis(rs, 13)));
            }
        }
        return schedules;
    }

    private static Instant millis(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(value);
    }

    private static void setMillis(PreparedStatement ps, int index, Instant value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value.toEpochMilli());
        }
    }

    private static StoreUnavailableException failed(SQLException e) {
        return new StoreUnavailableException("reading schedules failed: " + e.getMessage(), e);
    }
}
