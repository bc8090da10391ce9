package dev.postroom.store.sqlite;

import dev.postroom.store.jdbc.Dialect;
import dev.postroom.Topic;
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
        return committer.submit(w -> TopicRows.upsertTopic(writer, name, now));
    }

    @Override
    public CompletableFuture<Void> deleteTopic(String name) {
        return committer.submit(w -> {
            TopicRows.requireTopic(writer, name, Dialect.SQLITE);
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
            TopicRows.requireTopic(writer, s.topic(), Dialect.SQLITE);
            TopicRows.requireQueue(writer, s.queue(), Dialect.SQLITE);
            boolean created;
            try (PreparedStatement ps = writer.prepareStatement("SELECT 1 FROM subscriptions WHERE topic = ? AND name = ?")) {
                ps.setString(1, s.topic());
                ps.setString(2, s.name());
                try (ResultSet rs = ps.executeQuery()) {
                    created = !rs.next(); // the one writer: nothing changes between this read and the write
                }
            }
            try (PreparedStatement ps = writer.prepareStatement(TopicRows.UPSERT_SUBSCRIPTION)) {
                TopicRows.bindSubscription(ps, s, json);
                ps.executeUpdate();
            }
            return created;
        });
    }

    @Override
    public CompletableFuture<Void> deleteSubscription(String topic, String name) {
        return committer.submit(w -> {
            TopicRows.deleteSubscription(writer, topic, name, Dialect.SQLITE);
            return null;
        });
    }

    // ------------------------------------------------------------------ reads (reader pool)

    @Override
    public Optional<Topic> topic(String name) {
        return read(name).stream().findFirst();
    }

    @Override
    public List<Topic> topics() {
        return read(null);
    }

    private List<Topic> read(String name) {
        try (Connection c = readers.getConnection()) {
            return TopicRows.read(c, name, Dialect.SQLITE, json);
        } catch (SQLException e) {
            throw new StoreUnavailableException("reading topics failed: " + e.getMessage(), e);
        }
    }
}
