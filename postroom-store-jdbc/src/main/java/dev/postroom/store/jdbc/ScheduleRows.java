package dev.postroom.store.jdbc;

import dev.postroom.store.StoredSchedule;
import dev.postroom.store.SendOutcome;
import dev.postroom.store.SendBatch;
import dev.postroom.store.ScheduleToggle;
import dev.postroom.store.ScheduleStore;
import dev.postroom.store.ScheduleRun;
import dev.postroom.store.SchedulePut;
import dev.postroom.store.ScheduleFiring;
import dev.postroom.store.ScheduleFire;
import dev.postroom.MissedRuns;
import dev.postroom.QueueNotFoundException;
import dev.postroom.ScheduleNotFoundException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * For store implementations: what every store's {@link ScheduleStore} does the same way, so that each
 * store keeps only its SQL. The schedules table has the same {@link #COLUMNS} on every store (times in
 * epoch milliseconds, headers as {@link StoredJson} writes them, {@code paused} as a boolean or 0/1);
 * {@link #read} and {@link #bind} map a row, and {@link #put}, {@link #setPaused} and {@link #fire} are
 * the store-independent steps of those writes, run inside the store's transaction.
 */
public final class ScheduleRows {
    /** The schedules table's columns, in the order {@link #read} and {@link #bind} use. */
    public static final String COLUMNS = "name, cron, timezone, queue, payload, headers, missed_runs, paused, next_run_at, "
            + "last_run_at, last_message_id, created_at, updated_at";

    /** Writes one schedule row (insert or replace) in the store's current transaction. */
    @FunctionalInterface
    public interface Writer {
        void write(StoredSchedule schedule) throws SQLException;
    }

    /**
     * Stores one run's message in the store's current transaction. It must check the queue before it
     * writes: a {@link QueueNotFoundException} has to leave the transaction usable.
     */
    @FunctionalInterface
    public interface Sender {
        SendOutcome send(SendBatch message) throws SQLException;
    }

    private ScheduleRows() {
    }

    /** Every row {@code ps} selects ({@link #COLUMNS}, in order), as schedules. */
    public static List<StoredSchedule> read(PreparedStatement ps, StoredJson json) throws SQLException {
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

    /** Binds {@code s} to parameters 1 to 13 of {@code ps}, in the order of {@link #COLUMNS}. */
    public static void bind(PreparedStatement ps, StoredSchedule s, StoredJson json) throws SQLException {
        ps.setString(1, s.name());
        ps.setString(2, s.cron());
        ps.setString(3, s.timezone());
        ps.setString(4, s.queue());
        ps.setString(5, s.payloadJson());
        ps.setString(6, s.headers().isEmpty() ? null : json.writeHeaders(s.headers()));
        ps.setString(7, s.missedRuns().wireName());
        ps.setBoolean(8, s.paused());
        setMillis(ps, 9, s.nextRunAt());
        setMillis(ps, 10, s.lastRunAt());
        ps.setString(11, s.lastMessageId());
        ps.setLong(12, s.createdAt().toEpochMilli());
        ps.setLong(13, s.updatedAt().toEpochMilli());
    }

    /**
     * {@link ScheduleStore#put}, once the store has checked the queue and read (and locked, where it
     * must) the {@code existing} row: writes what {@code put} makes of it.
     *
     * @return true when the schedule is new
     */
    public static boolean put(SchedulePut put, StoredSchedule existing, Writer writer) throws SQLException {
        writer.write(put.applyTo(existing));
        return existing == null;
    }

    /**
     * {@link ScheduleStore#setPaused}, once the store has read (and locked, where it must) the
     * {@code existing} row: writes the toggled schedule unless nothing changed.
     *
     * @throws ScheduleNotFoundException if {@code existing} is null
     */
    public static StoredSchedule setPaused(ScheduleToggle toggle, StoredSchedule existing, Writer writer) throws SQLException {
        if (existing == null) {
            throw new ScheduleNotFoundException(toggle.name());
        }
        StoredSchedule toggled = toggle.applyTo(existing);
        if (toggled != existing) {
            writer.write(toggled);
        }
        return toggled;
    }

    /**
     * {@link ScheduleStore#fireDue}, once the store has selected the {@code due} schedules: plans each
     * run, stores its message through {@code sender} (a queue deleted since is noted, not thrown),
     * advances the schedule through {@code writer}, and says what it did.
     */
    public static List<ScheduleFiring> fire(List<StoredSchedule> due, ScheduleFire fire, Sender sender, Writer writer)
            throws SQLException {
        List<ScheduleFiring> firings = new ArrayList<>(due.size());
        for (StoredSchedule schedule : due) {
            ScheduleRun run = fire.planner().plan(schedule, fire.now());
            SendOutcome sent = null;
            String note = run.note();
            if (run.message() != null) {
                try {
                    sent = sender.send(new SendBatch(List.of(run.message()), fire.now(), fire.node()));
                } catch (QueueNotFoundException e) {
                    note = "queue " + schedule.queue() + " does not exist";
                }
            }
            writer.write(run.applyTo(schedule, sent));
            firings.add(new ScheduleFiring(schedule.name(), schedule.queue(), sent == null ? null : run.runAt(), sent, note,
                    run.nextRunAt()));
        }
        return firings;
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

    /** Deletes the schedule {@code name}; whether there was one. */
    public static boolean delete(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM schedules WHERE name = ?")) {
            ps.setString(1, name);
            return ps.executeUpdate() > 0;
        }
    }

    /**
     * The schedules due at {@code fire.now()}, soonest first, at most {@code fire.max()}, locked as
     * {@code dialect} locks rows another node may be firing (and skipping those it holds).
     */
    public static List<StoredSchedule> due(Connection c, ScheduleFire fire, Dialect dialect, StoredJson json) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                + " FROM schedules WHERE next_run_at <= ? ORDER BY next_run_at, name LIMIT ?" + dialect.skipLocked())) {
            ps.setLong(1, fire.now().toEpochMilli());
            ps.setInt(2, fire.max());
            return read(ps, json);
        }
    }
}
