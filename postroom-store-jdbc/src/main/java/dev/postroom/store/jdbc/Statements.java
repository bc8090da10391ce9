package dev.postroom.store.jdbc;

import dev.postroom.QueuePolicy;
import dev.postroom.QueueNotEmptyException;
import dev.postroom.store.StoreUnavailableException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** The one-statement reads and writes both SQL stores make, with their parameters bound in order. */
public final class Statements {
    private Statements() {
    }

    /** Runs {@code sql} (an INSERT, UPDATE or DELETE) on {@code c}; the rows it changed. */
    public static int update(Connection c, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setObject(i + 1, parameters[i]);
            }
            return ps.executeUpdate();
        }
    }

    /**
     * The first column of the first row {@code sql} selects, as text, on a connection of its own
     * from {@code pool}; empty for no row or SQL NULL.
     *
     * @param parameter bound to the one {@code ?}, or null when there is none
     * @throws StoreUnavailableException when the read fails
     */
    public static Optional<String> single(DataSource pool, String sql, String parameter) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (parameter != null) {
                ps.setString(1, parameter);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("read failed: " + e.getMessage(), e);
        }
    }

    /**
     * Deletes queue {@code name}, every message of it and its archive, in the caller's transaction, or throws {@link QueueNotEmptyException}
     * when {@code unfinished} messages would go and {@code force} is false (nothing deleted then).
     */
    public static void deleteQueue(Connection c, String name, long unfinished, boolean force) throws SQLException {
        if (unfinished > 0 && !force) {
            throw new QueueNotEmptyException(name, unfinished);
        }
        update(c, "DELETE FROM messages WHERE queue = ?", name);
        update(c, "DELETE FROM archived_messages WHERE queue = ?", name);
        update(c, "DELETE FROM queues WHERE name = ?", name);
    }

    /**
     * Gives the unfinished messages of {@code queue} the limit key {@code after} takes from them
     * (its header's value, or the ordering key; none without per-key limits), after a policy change
     * that moved where keys come from ({@link dev.postroom.store.LimitKeys#sameSource}).
     */
    public static void rekeyUnfinished(Connection c, Dialect dialect, String queue, QueuePolicy after) throws SQLException {
        String header = after.perKey() == null ? null : after.perKey().header();
        String key = after.perKey() == null ? "NULL"
                : header == null ? "coalesce(ordering_key, '')"
                : "coalesce(" + dialect.jsonText("headers") + ", '')";
        String sql = StateSql.expand("UPDATE messages SET limit_key = " + key + " WHERE queue = ? AND state IN ({UNFINISHED})");
        if (header == null) {
            update(c, sql, queue);
        } else {
            update(c, sql, header, queue);
        }
    }

    /**
     * {@code %text%} for {@code LIKE … ESCAPE '\'} (or {@code ILIKE}), with LIKE's wildcards and the
     * escape character in {@code text} taken literally: the free-text filter of every browse.
     */
    public static String likePattern(String text) {
        return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }
}
