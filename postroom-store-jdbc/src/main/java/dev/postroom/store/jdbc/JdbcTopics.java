package dev.postroom.store.jdbc;

import dev.postroom.Topic;
import dev.postroom.store.NewSubscription;
import dev.postroom.store.StoreUnavailableException;
import dev.postroom.store.TopicStore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The topics and subscriptions of a SQL store, written once for SQLite and PostgreSQL. A topic or
 * queue a write depends on is held until it commits ({@link Dialect#keyShare}), so a concurrent
 * delete waits for it or is seen; reads take the topics and their subscriptions in one statement,
 * so a topic never comes back with half of a change.
 */
public final class JdbcTopics implements TopicStore {
    private final StoreAccess access;
    private final Dialect dialect;
    private final StoredJson json;

    public JdbcTopics(StoreAccess access, Dialect dialect, StoredJson json) {
        this.access = access;
        this.dialect = dialect;
        this.json = json;
    }

    @Override
    public CompletableFuture<Boolean> upsertTopic(String name, Instant now) {
        return access.write(c -> TopicRows.upsertTopic(c, name, now));
    }

    @Override
    public CompletableFuture<Void> deleteTopic(String name) {
        return access.write(c -> {
            TopicRows.requireTopic(c, name, dialect);
            Statements.update(c, "DELETE FROM subscriptions WHERE topic = ?", name);
            Statements.update(c, "DELETE FROM topics WHERE name = ?", name);
            return null;
        });
    }

    @Override
    public CompletableFuture<Boolean> upsertSubscription(NewSubscription s) {
        return access.write(c -> {
            TopicRows.requireTopic(c, s.topic(), dialect);
            TopicRows.requireQueue(c, s.queue(), dialect);
            if (dialect.inserted() == null) {
                boolean created = !subscribed(c, s);
                try (PreparedStatement ps = c.prepareStatement(TopicRows.UPSERT_SUBSCRIPTION)) {
                    TopicRows.bindSubscription(ps, s, json);
                    ps.executeUpdate();
                }
                return created;
            }
            // Whether the row was new, from the upsert itself: exact under concurrent upserts of one name.
            try (PreparedStatement ps = c.prepareStatement(TopicRows.UPSERT_SUBSCRIPTION + " RETURNING " + dialect.inserted())) {
                TopicRows.bindSubscription(ps, s, json);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            }
        });
    }

    private static boolean subscribed(Connection c, NewSubscription s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM subscriptions WHERE topic = ? AND name = ?")) {
            ps.setString(1, s.topic());
            ps.setString(2, s.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Override
    public CompletableFuture<Void> deleteSubscription(String topic, String name) {
        return access.write(c -> {
            TopicRows.deleteSubscription(c, topic, name, dialect);
            return null;
        });
    }

    @Override
    public Optional<Topic> topic(String name) {
        return read(name).stream().findFirst();
    }

    @Override
    public List<Topic> topics() {
        return read(null);
    }

    private List<Topic> read(String name) {
        try (Connection c = access.reader()) {
            return TopicRows.read(c, name, dialect, json);
        } catch (SQLException e) {
            throw new StoreUnavailableException("reading topics failed: " + e.getMessage(), e);
        }
    }
}
