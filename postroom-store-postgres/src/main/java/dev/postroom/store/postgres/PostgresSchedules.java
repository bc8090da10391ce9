package dev.postroom.store.postgres;

import dev.postroom.MissedRuns;
import dev.postroom.QueueNotFoundException;
import dev.postroom.ScheduleNotFoundException;
import dev.postroom.store.ScheduleFire;
import dev.postroom.store.ScheduleFiring;
import dev.postroom.store.SchedulePut;
import dev.postroom.store.ScheduleRun;
import dev.postroom.store.ScheduleStore;
import dev.postroom.store.ScheduleToggle;
import dev.postroom.store.SendBatch;
import dev.postroom.store.SendOutcome;
import dev.postroom.store.StoreUnavailableException;
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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The PostgreSQL store's schedules (V4). Every write is one transaction of the store's; a run is
 * fired by whichever node's maintenance first takes its row: {@link #fireDue} selects the due rows
 * {@code FOR UPDATE SKIP LOCKED}, so a row another node is firing is passed over, and one it has
 * just fired no longer matches {@code next_run_at <= now} when this node's statement reaches it
 * (READ COMMITTED re-checks a locked row's new version). The run's message is stored through
 * {@link MessageWrites#send} in the same transaction.
 */
final class PostgresSchedules implements ScheduleStore {
    private static final String COLUMNS = "name, cron, timezone, queue, payload, headers, missed_runs, paused, next_run_at, "
            + "last_run_at, last_message_id, created_at, updated_at";

    private final PostgresMessageStore store;
    private final DataSource pool;
    private final MessageWrites writes;
    private final PostgresJson json;

    PostgresSchedules(PostgresMessageStore store, DataSource pool, MessageWrites writes, PostgresJson json) {
        this.store = store;
        this.pool = pool;
        this.writes = writes;
        this.json = json;
    }

    @Override
    public CompletableFuture<Boolean> put(SchedulePut put) {
        return store.submit(c -> {
            // KEY SHARE: a queue deleted meanwhile waits for this commit, or this put sees it gone.
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM queues WHERE name = ? FOR KEY SHARE")) {
                ps.setString(1, put.queue());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new QueueNotFoundException(put.queue());
                    }
                }
            }
            StoredSchedule existing = lock(c, put.name());
            write(c, put.applyTo(existing));
            return existing == null;
        });
    }

    @Override
    public Optional<StoredSchedule> get(String name) {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM schedules WHERE name = ?")) {
            ps.setString(1, name);
            return read(ps).stream().findFirst();
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public List<StoredSchedule> list() {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM schedules ORDER BY name")) {
            return read(ps);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public CompletableFuture<StoredSchedule> setPaused(ScheduleToggle toggle) {
        return store.submit(c -> {
            StoredSchedule existing = lock(c, toggle.name());
            if (existing == null) {
                throw new ScheduleNotFoundException(toggle.name());
            }
            StoredSchedule toggled = toggle.applyTo(existing);
            if (toggled != existing) {
                write(c, toggled);
            }
            return toggled;
        });
    }

    @Override
    public CompletableFuture<Boolean> delete(String name) {
        return store.submit(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM schedules WHERE name = ?")) {
                ps.setString(1, name);
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public CompletableFuture<List<ScheduleFiring>> fireDue(ScheduleFire fire) {
        return store.submit(c -> {
            List<StoredSchedule> due;
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM schedules WHERE next_run_at <= ? ORDER BY next_run_at, name LIMIT ? FOR UPDATE SKIP LOCKED")) {
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
                        // send checks the queue before it writes: a missing queue leaves the transaction usable.
                        sent = writes.send(c, new SendBatch(List.of(run.message()), fire.now(), fire.node())).getFirst();
                    } catch (QueueNotFoundException e) {
                        note = "queue " + schedule.queue() + " does not exist";
                    }
                }
                write(c, run.applyTo(schedule, sent));
                firings.add(new ScheduleFiring(schedule.name(), schedule.queue(), sent == null ? null : run.runAt(), sent, note,
                        run.nextRunAt()));
            }
            return firings;
        });
    }

    private StoredSchedule lock(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM schedules WHERE name = ? FOR UPDATE")) {
            ps.setString(1, name);
            List<StoredSchedule> found = read(ps);
            return found.isEmpty() ? null : found.getFirst();
        }
    }

    private void write(Connection c, StoredSchedule s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO schedules (" + COLUMNS + ") "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                + "cron = excluded.cron, timezone = excluded.timezone, queue = excluded.queue, payload = excluded.payload, "
                + "headers = excluded.headers, missed_runs = excluded.missed_runs, paused = excluded.paused, "
                + "next_run_at = excluded.next_run_at, last_run_at = excluded.last_run_at, "
                + "last_message_id = excluded.last_message_id, created_at = excluded.created_at, updated_at = excluded.updated_at")) {
            ps.setString(1, s.name());
            ps.setString(2, s.cron());
            ps.setString(3, s.timezone());
            ps.setString(4, s.queue());
            ps.setString(5, s.payloadJson());
            ps.setString(6, json.writeHeaders(s.headers()));
            ps.setString(7, s.missedRuns().wireName());
            ps.setBoolean(8, s.paused());
            setMillis(ps, 9, s.nextRunAt());
            setMillis(ps, 10, s.lastRunAt());
            ps.setString(11, s.lastMessageId());
            ps.setLong(12, s.createdAt().toEpochMilli());
            ps.setLong(13, s.updatedAt().toEpochMilli());
            ps.executeUpdate();
        }
    }

    private List<StoredSchedule> read(PreparedStatement ps) throws SQLException {
        List<StoredSchedule> schedules = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                schedules.add(new StoredSchedule(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), json.readHeaders(rs.getString(6)), MissedRuns.parse("missed_runs", rs.getString(7)),
                        rs.getBoolean(8), millis(rs, 9), millis(rs, 10), rs.getString(11), millis(rs, 12), millis(rs, 13)));
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
        return new StoreUnavailableException("PostgreSQL read failed: " + e.getMessage(), e);
    }
}
