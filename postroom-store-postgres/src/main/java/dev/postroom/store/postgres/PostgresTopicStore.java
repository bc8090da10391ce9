package dev.postroom.store.postgres;

import dev.postroom.store.jdbc.Dialect;
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
        return store.submit(c -> TopicRows.upsertTopic(c, name, now));
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
            TopicRows.requireTopic(c, s.topic(), Dialect.POSTGRES);
            TopicRows.requireQueue(c, s.queue(), Dialect.POSTGRES);
            // xmax = 0: the row was inserted, not updated; exact under concurrent upserts of one name.
            try (PreparedStatement ps = c.prepareStatement(TopicRows.UPSERT_SUBSCRIPTION + " RETURNING (xmax = 0)")) {
                TopicRows.bindSubscription(ps, s, json);
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
            TopicRows.deleteSubscription(c, topic, name, Dialect.POSTGRES);
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
        try (Connection c = pool.getConnection()) {
            return TopicRows.read(c, name, Dialect.POSTGRES, json);
        } catch (SQLException e) {
            throw new StoreUnavailableException("reading topics failed: " + e.getMessage(), e);
        }
    }
}
