package dev.postroom.store.jdbc;

import dev.postroom.AttemptError;
import dev.postroom.TimelineEntry;
import dev.postroom.store.Transition;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code SET} clause that writes a {@link Transition} to a message row, in one dialect: the
 * state, {@code updated_at}, the attempt count and available-at time when the transition sets
 * them, cleared progress, the appended error and timeline entry. Both stores write every
 * transition through it and add only what their concurrency model needs (the PostgreSQL store
 * clears its lease columns; the embedded store, whose leases live in memory, writes the attempt
 * and the lease's IN_FLIGHT entry, given here as {@code entriesBefore}).
 *
 * <p>The clause depends only on the transition's shape (which fields it sets), so a store may
 * build its statement once and {@link #bind} each transition of that shape into it.
 */
public final class TransitionUpdate {
    private final boolean attempt;
    private final boolean availableAt;
    private final boolean error;
    private final boolean clearsProgress;
    private final int entriesBefore;
    private final String set;

    private TransitionUpdate(Dialect dialect, Transition shape, int entriesBefore) {
        this.attempt = shape.attempt() != null;
        this.availableAt = shape.availableAt() != null;
        this.error = shape.errorMessage() != null;
        this.clearsProgress = shape.clearsProgress();
        this.entriesBefore = entriesBefore;
        StringBuilder sql = new StringBuilder("state = ?, updated_at = ?");
        if (attempt) {
            sql.append(", attempt = ?");
        }
        if (availableAt) {
            sql.append(", available_at = ?");
        }
        if (clearsProgress) {
            sql.append(", progress_percent = NULL, progress_note = NULL");
        }
        String rowAttempt = "coalesce(" + dialect.param("int") + ", attempt)";
        if (error) {
            sql.append(", errors = ").append(dialect.appendToBoundedArray("errors", List.of(dialect.object(
                    "'attempt'", rowAttempt, "'at'", dialect.param("bigint"),
                    "'message'", dialect.param("text"), "'detail'", dialect.param("text"))), AttemptError.MAX_KEPT));
        }
        List<String> entries = new ArrayList<>();
        for (int i = 0; i <= entriesBefore; i++) {
            entries.add(dialect.timelineEntry(dialect.entryAt(), dialect.param("text"), dialect.param("text"),
                    i < entriesBefore ? dialect.param("int") : rowAttempt, dialect.param("text")));
        }
        sql.append(", timeline = ").append(dialect.appendToBoundedArray(dialect.timeline(), entries, TimelineEntry.MAX_KEPT));
        this.set = sql.toString();
    }

    /**
     * The update for transitions shaped like {@code shape}, whose timeline entry follows
     * {@code entriesBefore} entries the store writes in the same statement.
     */
    public static TransitionUpdate shapedLike(Dialect dialect, Transition shape, int entriesBefore) {
        return new TransitionUpdate(dialect, shape, entriesBefore);
    }

    /**
     * The updates a store writes over and over, built once: an ack, a failed attempt, a due
     * message, a redrive and a TTL expiry.
     *
     * @param leasesInMemory whether the store keeps a held message's lease (and its attempt count)
     *                       outside the row, so that settling it also writes the lease's IN_FLIGHT
     *                       entry and the attempt (the embedded store)
     */
    public static Standard standard(Dialect dialect, boolean leasesInMemory) {
        Instant sample = Instant.EPOCH; // the samples give only the shape
        int held = leasesInMemory ? 1 : 0;
        Transition acked = Transition.acked(sample, "");
        return new Standard(
                shapedLike(dialect, leasesInMemory ? acked.withAttempt(1) : acked, held),
                shapedLike(dialect, Transition.leaseExpired("", 1, 2, (queue, attempt) -> Duration.ZERO, sample, ""), held),
                shapedLike(dialect, Transition.due(sample, ""), 0),
                shapedLike(dialect, Transition.redriven(sample, ""), 0),
                shapedLike(dialect, Transition.expired(sample, ""), 0));
    }

    /** See {@link #standard}; {@code failed} fits both a nack and an expired lease. */
    public record Standard(TransitionUpdate acked, TransitionUpdate failed, TransitionUpdate due, TransitionUpdate redriven,
                           TransitionUpdate expired) {
    }

    /** The assignments, for {@code UPDATE messages SET <these>[, more] WHERE ...}. */
    public String set() {
        return set;
    }

    /**
     * Binds {@code transition}, after the entries {@code before}, from parameter {@code index}.
     *
     * @return the index of the next parameter
     * @throws IllegalArgumentException when the transition or the entries are not of this update's shape
     */
    public int bind(PreparedStatement ps, int index, Transition transition, TimelineEntry... before) throws SQLException {
        if ((transition.attempt() != null) != attempt || (transition.availableAt() != null) != availableAt
                || (transition.errorMessage() != null) != error || transition.clearsProgress() != clearsProgress
                || before.length != entriesBefore) {
            throw new IllegalArgumentException("a transition to " + transition.to() + " (" + transition.reason()
                    + ") does not fit this update's shape");
        }
        long at = transition.at().toEpochMilli();
        int i = index;
        ps.setInt(i++, transition.to().code());
        ps.setLong(i++, at);
        if (attempt) {
            ps.setInt(i++, transition.attempt());
        }
        if (availableAt) {
            ps.setLong(i++, transition.availableAt().toEpochMilli());
        }
        if (error) {
            setAttempt(ps, i++, transition.attempt());
            ps.setLong(i++, at);
            ps.setString(i++, transition.errorMessage());
            ps.setString(i++, transition.errorDetail());
        }
        for (TimelineEntry entry : before) {
            ps.setLong(i++, entry.at().toEpochMilli());
            ps.setString(i++, entry.state().name());
            ps.setString(i++, entry.node());
            ps.setInt(i++, entry.attempt());
            ps.setString(i++, entry.reason());
        }
        ps.setLong(i++, at);
        ps.setString(i++, transition.to().name());
        ps.setString(i++, transition.node());
        setAttempt(ps, i++, transition.attempt());
        ps.setString(i++, transition.reason());
        return i;
    }

    private static void setAttempt(PreparedStatement ps, int index, Integer attempt) throws SQLException {
        if (attempt == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setInt(index, attempt);
        }
    }
}
