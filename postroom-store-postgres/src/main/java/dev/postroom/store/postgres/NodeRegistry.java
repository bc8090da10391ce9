package dev.postroom.store.postgres;

import dev.postroom.store.NodeInfo;
import dev.postroom.store.StoreUnavailableException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code nodes} table (V2): heartbeats in, the list of nodes out. A node that restarts under
 * the same name replaces its row, start time included.
 */
final class NodeRegistry {
    private final DataSource pool;

    NodeRegistry(DataSource pool) {
        this.pool = pool;
    }

    Void heartbeat(Connection c, NodeInfo node) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO nodes (name, started_at, heartbeat_at, host, pid) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET started_at = excluded.started_at,
                    heartbeat_at = excluded.heartbeat_at, host = excluded.host, pid = excluded.pid""")) {
            ps.setString(1, node.name());
            ps.setLong(2, node.startedAt().toEpochMilli());
            ps.setLong(3, node.heartbeatAt().toEpochMilli());
            ps.setString(4, node.host());
            ps.setLong(5, node.pid());
            ps.executeUpdate();
        }
        return null;
    }

    /** Deletes the row of this start of {@code node}; a newer start's row (another started_at) stays. */
    Void leave(Connection c, NodeInfo node) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM nodes WHERE name = ? AND started_at = ?")) {
            ps.setString(1, node.name());
            ps.setLong(2, node.startedAt().toEpochMilli());
            ps.executeUpdate();
        }
        return null;
    }

    Integer forget(Connection c, Instant before) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM nodes WHERE heartbeat_at < ?")) {
            ps.setLong(1, before.toEpochMilli());
            return ps.executeUpdate();
        }
    }

    List<NodeInfo> nodes() {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT name, started_at, heartbeat_at, host, pid FROM nodes ORDER BY name");
             ResultSet rs = ps.executeQuery()) {
            List<NodeInfo> nodes = new ArrayList<>();
            while (rs.next()) {
                nodes.add(new NodeInfo(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)),
                        Instant.ofEpochMilli(rs.getLong(3)), rs.getString(4), rs.getLong(5)));
            }
            return nodes;
        } catch (SQLException e) {
            throw new StoreUnavailableException("PostgreSQL read failed: " + e.getMessage(), e);
        }
    }
}
