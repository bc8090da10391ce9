package dev.postroom.store.sqlite;

import dev.postroom.QueueNotFoundException;
import dev.postroom.SubscriptionNotFoundException;
import dev.postroom.Topic;
import dev.postroom.TopicNotFoundException;
import dev.postroom.store.NewSubscription;
import dev.postroom.store.StoreUnavailableException;
import dev.postroom.store.jdbc.StoredJson;
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
 * Topics of the embedded store. Writes are commands of the {@link GroupCommitter}, on the writer
 * connection inside its transaction, so they commit with (and are ordered among) every other
 * write; each checks before it writes, as the committer requires. Reads use the reader pool and
 * see what committed. Nothing is cached: topics are read once per publish, by primary key.
 */
final class SqliteTopicStore implements TopicStore {
    private final GroupCommitter committer;
    private final Connection writer;
    private final DataSource readers;
    private final StoredJson json;

    SqliteTopicStore(GroupCommitter committer, Connection writer, DataSource readers, StoredJson json) {
        this.committer = committer;
        this.writer = writer;
        this.readers = readers;
        this.json = json;
    }

    // ------------------------------------------------------------------ writes (writer thread)

    @Override
    public CompletableFuture<Boolean> upsertTopic(String name, Instant now) {
        return committer.submit(w -> {
            try (PreparedStatement ps = writer.prepareStatement(
                    "INSERT INTO topics (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")) {
                ps.setString(1, name);
                ps.setLong(2, now.toEpochMilli());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public CompletableFuture<Void> deleteTopic(String name) {
        return committer.submit(w -> {
            requireTopic(name);
            try (PreparedStatement subscriptions = writer.prepareStatement("DELETE FROM subscriptions WHERE topic = ?");
                 PreparedStatement topic = writer.prepareStatement("DELETE FROM topics WHERE name = ?")) {
                subscriptions.setString(1, name);
                subscriptions.executeUpdate();
                topic.setString(1, name);
                topic.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Boolean> upsertSubscription(NewSubscription s) {
        return committer.submit(w -> {
            requireTopic(s.topic());
            if (!exists("SELECT 1 FROM queues WHERE name = ?", s.queue())) {
                throw new QueueNotFoundException(s.queue());
            }
            boolean created;
            try (PreparedStatement ps = writer.prepareStatement("SELECT 1 FROM subscriptions WHERE topic = ? AND name = ?")) {
                ps.setString(1, s.topic());
                ps.setString(2, s.name());
                try (ResultSet rs = ps.executeQuery()) {
                    created = !rs.next();
                }
            }
            try (PreparedStatement ps = writer.prepareStatement("""
                    INSERT INTO subscriptions (topic, name, queue, filter, created_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (topic, name) DO UPDATE SET queue = excluded.queue, filter = excluded.filter""")) {
                ps.setString(1, s.topic());
                ps.setString(2, s.name());
                ps.setString(3, s.queue());
                ps.setString(4, TopicRows.filterJson(s.filter(), json));
                ps.setLong(5, s.now().toEpochMilli());
                ps.executeUpdate();
            }
            return created;
        });
    }

    @Override
    public CompletableFuture<Void> deleteSubscription(String topic, String name) {
        return committer.submit(w -> {
            requireTopic(topic);
            try (PreparedStatement ps = writer.prepareStatement("DELETE FROM subscriptions WHERE topic = ? AND name = ?")) {
                ps.setString(1, topic);
                ps.setString(2, name);
                if (ps.executeUpdate() == 0) {
                    throw new SubscriptionNotFoundException(topic, name);
                }
            }
            return null;
        });
    }

    private void requireTopic(String name) throws SQLException {
        if (!exists("SELECT 1 FROM topics WHERE name = ?", name)) {
            throw new TopicNotFoundException(name);
        }
    }

    private boolean exists(String sql, String key) throws SQLException {
        try (PreparedStatement ps = writer.prepareStatement(sql)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    // ------------------------------------------------------------------ reads (reader pool)

    @Override
    public Optional<Topic> topic(String name) {
        List<Topic> found = read("WHERE t.name = ?", name);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
    }

    @Override
    public List<Topic> topics() {
        return read("", null);
    }

    /** Topics (all, or the one named {@code key}) with their subscriptions: one statement, so one snapshot. */
    private List<Topic> read(String where, String key) {
        try (Connection c = readers.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT t.name, t.created_at, s.name, s.queue, s.filter, s.created_at FROM topics t "
                        + "LEFT JOIN subscriptions s ON s.topic = t.name " + where + " ORDER BY t.name, s.name")) {
            if (key != null) {
                ps.setString(1, key);
            }
            return TopicRows.read(ps, json);
        } catch (SQLException e) {
            throw new StoreUnavailableException("reading topics failed: " + e.getMessage(), e);
        }
    }
}
