package dev.postroom.store.sqlite;

import dev.postroom.store.jdbc.Dialect;
import dev.postroom.QueueNotFoundException;
import dev.postroom.store.ScheduleFire;
import dev.postroom.store.ScheduleFiring;
import dev.postroom.store.SchedulePut;
import dev.postroom.store.jdbc.ScheduleRows;
import dev.postroom.store.ScheduleStore;
import dev.postroom.store.ScheduleToggle;
import dev.postroom.store.StoreUnavailableException;
import dev.postroom.store.jdbc.StoredJson;
import dev.postroom.store.StoredQueue;
import dev.postroom.store.StoredSchedule;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static dev.postroom.store.jdbc.ScheduleRows.COLUMNS;

/**
 * The embedded store's schedules. Writes run as commands of the {@link GroupCommitter}, on the one
 * writer connection inside its transaction: a due schedule's message goes in through
 * {@link MessageWrites#send} and the schedule's advance beside it, so they commit together, and since
 * there is one writer, two passes can never take the same run. Reads use the reader pool.
 */
final class SqliteSchedules implements ScheduleStore {
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
            return ScheduleRows.put(put, find(writer, put.name()), this::write);
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
            return ScheduleRows.read(ps, json);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public CompletableFuture<StoredSchedule> setPaused(ScheduleToggle toggle) {
        return committer.submit(w -> ScheduleRows.setPaused(toggle, find(writer, toggle.name()), this::write));
    }

    @Override
    public CompletableFuture<Boolean> delete(String name) {
        return committer.submit(w -> ScheduleRows.delete(writer, name));
    }

    @Override
    public CompletableFuture<List<ScheduleFiring>> fireDue(ScheduleFire fire) {
        return committer.submit(w -> {
            List<StoredSchedule> due = ScheduleRows.due(writer, fire, Dialect.SQLITE, json);
            // MessageWrites.send checks its queue before it writes, so a missing queue leaves the transaction as it was.
            return ScheduleRows.fire(due, fire, message -> w.send(message).getFirst(), this::write);
        });
    }

    private void write(StoredSchedule s) throws SQLException {
        try (PreparedStatement ps = writer.prepareStatement("INSERT OR REPLACE INTO schedules (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ScheduleRows.bind(ps, s, json);
            ps.executeUpdate();
        }
    }

    private StoredSchedule find(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM schedules WHERE name = ?")) {
            ps.setString(1, name);
            List<StoredSchedule> found = ScheduleRows.read(ps, json);
            return found.isEmpty() ? null : found.getFirst();
        }
    }

    private static StoreUnavailableException failed(SQLException e) {
        return new StoreUnavailableException("reading schedules failed: " + e.getMessage(), e);
    }
}
