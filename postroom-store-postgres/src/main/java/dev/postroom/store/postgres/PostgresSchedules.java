package dev.postroom.store.postgres;

import dev.postroom.store.jdbc.Dialect;
import dev.postroom.QueueNotFoundException;
import dev.postroom.store.ScheduleFire;
import dev.postroom.store.ScheduleFiring;
import dev.postroom.store.SchedulePut;
import dev.postroom.store.jdbc.ScheduleRows;
import dev.postroom.store.ScheduleStore;
import dev.postroom.store.ScheduleToggle;
import dev.postroom.store.StoreUnavailableException;
import dev.postroom.store.StoredSchedule;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static dev.postroom.store.jdbc.ScheduleRows.COLUMNS;

/**
 * The PostgreSQL store's schedules (V4). Every write is one transaction of the store's; a run is
 * fired by whichever node's maintenance first takes its row: {@link #fireDue} selects the due rows
 * {@code FOR UPDATE SKIP LOCKED}, so a row another node is firing is passed over, and one it has
 * just fired no longer matches {@code next_run_at <= now} when this node's statement reaches it
 * (READ COMMITTED re-checks a locked row's new version). The run's message is stored through
 * {@link MessageWrites#send} in the same transaction.
 */
final class PostgresSchedules implements ScheduleStore {
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
            return ScheduleRows.put(put, lock(c, put.name()), s -> write(c, s));
        });
    }

    @Override
    public Optional<StoredSchedule> get(String name) {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM schedules WHERE name = ?")) {
            ps.setString(1, name);
            return ScheduleRows.read(ps, json).stream().findFirst();
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public List<StoredSchedule> list() {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM schedules ORDER BY name")) {
            return ScheduleRows.read(ps, json);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public CompletableFuture<StoredSchedule> setPaused(ScheduleToggle toggle) {
        return store.submit(c -> ScheduleRows.setPaused(toggle, lock(c, toggle.name()), s -> write(c, s)));
    }

    @Override
    public CompletableFuture<Boolean> delete(String name) {
        return store.submit(c -> ScheduleRows.delete(c, name));
    }

    @Override
    public CompletableFuture<List<ScheduleFiring>> fireDue(ScheduleFire fire) {
        return store.submit(c -> {
            List<StoredSchedule> due = ScheduleRows.due(c, fire, Dialect.POSTGRES, json);
            // send checks the queue before it writes: a missing queue leaves the transaction usable.
            return ScheduleRows.fire(due, fire, message -> writes.send(c, message).getFirst(), s -> write(c, s));
        });
    }

    private StoredSchedule lock(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM schedules WHERE name = ? FOR UPDATE")) {
            ps.setString(1, name);
            List<StoredSchedule> found = ScheduleRows.read(ps, json);
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
            ScheduleRows.bind(ps, s, json);
            ps.executeUpdate();
        }
    }

    private static StoreUnavailableException failed(SQLException e) {
        return new StoreUnavailableException("PostgreSQL read failed: " + e.getMessage(), e);
    }
}
