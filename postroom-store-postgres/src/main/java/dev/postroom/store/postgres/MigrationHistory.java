package dev.postroom.store.postgres;

import dev.postroom.store.StoreUnavailableException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Which table keeps the Flyway history of the store's migrations. Postroom's own,
 * {@code postroom_schema_history}, so that an application migrating its own tables with Flyway in
 * the same schema keeps {@code flyway_schema_history} to itself, and a schema holding an
 * application's tables is no obstacle (the history starts at version 0 beside them). Stores made
 * before kept their history in {@code flyway_schema_history}, and go on with it.
 */
final class MigrationHistory {
    static final String TABLE = "postroom_schema_history";
    static final String LEGACY_TABLE = "flyway_schema_history";
    /** Postroom's first migration, as a history records it: how a legacy history is known for Postroom's. */
    private static final String FIRST_SCRIPT = "V1__messages.sql";

    private MigrationHistory() {
    }

    /** The history table for the store in {@code schema} (null: the connections' current schema). */
    static String table(DataSource pool, String schema) {
        try (Connection c = pool.getConnection()) {
            String target = schema != null ? schema : currentSchema(c);
            if (exists(c, target, TABLE) || !exists(c, target, LEGACY_TABLE)) {
                return TABLE;
            }
            return recordsPostroom(c, target) ? LEGACY_TABLE : TABLE;
        } catch (SQLException e) {
            throw new StoreUnavailableException("cannot read the schema's migration history: " + e.getMessage(), e);
        }
    }

    private static String currentSchema(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT current_schema()"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static boolean exists(Connection c, String schema, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static boolean recordsPostroom(Connection c, String schema) throws SQLException {
        String history = quote(c, schema) + "." + LEGACY_TABLE;
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + history + " WHERE script = ? AND success")) {
            ps.setString(1, FIRST_SCRIPT);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && exists(c, schema, "messages");
            }
        }
    }

    private static String quote(Connection c, String identifier) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT quote_ident(?)")) {
            ps.setString(1, identifier);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
