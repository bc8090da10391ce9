package dev.postroom.store.postgres;

import dev.postroom.QueueNotFoundException;
import dev.postroom.SubscriptionNotFoundException;
import dev.postroom.Topic;
import dev.postroom.TopicNotFoundException;
import dev.postroom.store.NewSubscription;
import dev.postroom.store.StoreUnavailableException;
import dev.postroom.store.jdbc.TopicRows;
import dev.postroom.store.TopicStore;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Topics on PostgreSQL. Each write is one transaction of the store's; a subscription write holds
 * {@code FOR KEY SHARE} on its topic and queue rows, so neither can be deleted by another node
 * between the check and the commit (claims, which lock queue rows {@code FOR NO KEY UPDATE}, do
 * not wait for it). Reads are one joined statement on a pooled connection: one snapshot, no cache.
 */
final class PostgresTopicStore implements TopicStore {
    private final PostgresMessageStore store;
    private final DataSource pool;
    private final PostgresJson json;

    PostgresTopicStore(PostgresMessageStore store, DataSource pool, PostgresJson json) {
        this.store = store;
        this.pool = pool;
        this.json = json;
    }

    @Override
    public CompletableFuture<Boolean> upsertTopic(String name, Instant now) {
        return store.submit(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO topics (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")) {
                ps.setString(1, name);
                ps.setLong(2, now.toEpochMilli());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public CompletableFuture<Void> deleteTopic(String name) {
        return store.submit(c -> {
            // Its subscriptions go with it: ON DELETE CASCADE.
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM topics WHERE name = ?")) {
                ps.setString(1, name);
                if (ps.executeUpdate() == 0) {
                    throw new TopicNotFoundException(name);
                }
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Boolean> upsertSubscription(NewSubscription s) {
        return store.submit(c -> {
            if (!locked(c, "SELECT 1 FROM topics WHERE name = ? FOR KEY SHARE", s.topic())) {
                throw new TopicNotFoundException(s.topic());
            }
            if (!locked(c, "SELECT 1 FROM queues WHERE name = ? FOR KEY SHARE", s.queue())) {
                throw new QueueNotFoundException(s.queue());
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO subscriptions (topic, name, queue, filter, created_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (topic, name) DO UPDATE SET queue = excluded.queue, filter = excluded.filter
                    RETURNING (xmax = 0)""")) {
                ps.setString(1, s.topic());
                ps.setString(2, s.name());
                ps.setString(3, s.queue());
                ps.setString(4, TopicRows.filterJson(s.filter(), json));
                ps.setLong(5, s.now().toEpochMilli());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            }
        });
    }

    @Override
    public CompletableFuture<Void> deleteSubscription(String topic, String name) {
        return store.submit(c -> {
            if (!locked(c, "SELECT 1 FROM topics WHERE name = ? FOR KEY SHARE", topic)) {
                throw new TopicNotFoundException(topic);
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM subscriptions WHERE topic = ? AND name = ?")) {
                ps.setString(1, topic);
                ps.setString(2, name);
                if (ps.executeUpdate() == 0) {
                    throw new SubscriptionNotFoundException(topic, name);
                }
            }
            return null;
        });
    }

    private static boolean locked(Connection c, String sql, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Override
    public Optional<Topic> topic(String name) {
        return read("WHERE t.name = ?", name).stream().findFirst();
    }

    @Override
    public List<Topic> topics() {
        return read("", null);
    }

    /** Topics (all, or the one named {@code key}) with their subscriptions, in bytewise name order as on SQLite. */
    private List<Topic> read(String where, String key) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT t.name, t.created_at, s.name, s.queue, s.filter, s.created_at FROM topics t "
                        + "LEFT JOIN subscriptions s ON s.topic = t.name " + where
                        + " ORDER BY t.name COLLATE \"C\", s.name COLLATE \"C\"")) {
            if (key != null) {
                ps.setString(1, key);
            }
            return TopicRows.read(ps, json);
        } catch (SQLException e) {
            throw new StoreUnavailableException("reading topics failed: " + e.getMessage(), e);
        }
    }
}
