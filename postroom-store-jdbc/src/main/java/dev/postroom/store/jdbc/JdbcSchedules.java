package dev.postroom.store.jdbc;

import dev.postroom.store.ScheduleFire;
import dev.postroom.store.ScheduleFiring;
import dev.postroom.store.SchedulePut;
import dev.postroom.store.ScheduleStore;
import dev.postroom.store.ScheduleToggle;
import dev.postroom.store.SendBatch;
import dev.postroom.store.SendOutcome;
import dev.postroom.store.StoreUnavailableException;
import dev.postroom.store.StoredSchedule;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static dev.postroom.store.jdbc.ScheduleRows.COLUMNS;

/**
 * The schedules of a SQL store, written once for SQLite and PostgreSQL. A due run is fired by
 * whichever writer first takes its row: {@link #fireDue} reads the due rows locked, skipping those
 * another node holds ({@link Dialect#skipLocked}); on the embedded store the one writer makes that
 * moot. The run's message is stored by the store's own send, in the same transaction, so the
 * message and the schedule's advance commit together.
 */
public final class JdbcSchedules implements ScheduleStore {
    /** The store's send, inside the write transaction on {@code c}; checks the queue before it writes. */
    @FunctionalInterface
    public interface Send {
        List<SendOutcome> send(Connection c, SendBatch batch) throws SQLException;
    }

    private final StoreAccess access;
    private final Dialect dialect;
    private final StoredJson json;
    private final Send send;

    public JdbcSchedules(StoreAccess access, Dialect dialect, StoredJson json, Send send) {
        this.access = access;
        this.dialect = dialect;
        this.json = json;
        this.send = send;
    }

    @Override
    public CompletableFuture<Boolean> put(SchedulePut put) {
        return access.write(c -> {
            // KEY SHARE on PostgreSQL: a queue deleted meanwhile waits for this commit, or this put sees it gone.
            TopicRows.requireQueue(c, put.queue(), dialect);
            return ScheduleRows.put(put, find(c, put.name(), dialect.forUpdate()), s -> write(c, s));
        });
    }

    @Override
    public Optional<StoredSchedule> get(String name) {
        try (Connection c = access.reader()) {
            return Optional.ofNullable(find(c, name, ""));
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public List<StoredSchedule> list() {
        try (Connection c = access.reader();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM schedules ORDER BY " + dialect.bytewise("name"))) {
            return ScheduleRows.read(ps, json);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public CompletableFuture<StoredSchedule> setPaused(ScheduleToggle toggle) {
        return access.write(c -> ScheduleRows.setPaused(toggle, find(c, toggle.name(), dialect.forUpdate()), s -> write(c, s)));
    }

    @Override
    public CompletableFuture<Boolean> delete(String name) {
        return access.write(c -> ScheduleRows.delete(c, name));
    }

    @Override
    public CompletableFuture<List<ScheduleFiring>> fireDue(ScheduleFire fire) {
        return access.write(c -> {
            List<StoredSchedule> due = ScheduleRows.due(c, fire, dialect, json);
            // The send checks its queue before it writes, so a missing queue leaves the transaction usable.
            return ScheduleRows.fire(due, fire, message -> send.send(c, message).getFirst(), s -> write(c, s));
        });
    }

    private StoredSchedule find(Connection c, String name, String lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM schedules WHERE name = ?" + lock)) {
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
        return new StoreUnavailableException("reading schedules failed: " + e.getMessage(), e);
    }
}
