package dev.postroom.store.jdbc;

import dev.postroom.Subscription;
import dev.postroom.SubscriptionFilter;
import dev.postroom.Topic;

import dev.postroom.QueueNotFoundException;
import dev.postroom.SubscriptionNotFoundException;
import dev.postroom.TopicNotFoundException;
import dev.postroom.store.NewSubscription;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * For store implementations: builds {@link Topic}s from the rows of topics left-joined with their
 * subscriptions, read in order of topic name, then subscription name. One joined statement reads
 * one snapshot, so a topic never comes back with half of a change.
 */
public final class TopicRows {
    private final List<Topic> topics = new ArrayList<>();
    private String current;
    private Instant createdAt;
    private List<Subscription> subscriptions = new ArrayList<>();

    /**
     * The topics {@code ps} selects: columns {@code t.name, t.created_at, s.name, s.queue, s.filter,
     * s.created_at} of topics left-joined with subscriptions, in order of topic, then subscription name.
     */
    public static List<Topic> read(PreparedStatement ps, StoredJson json) throws SQLException {
        TopicRows rows = new TopicRows();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String topic = rs.getString(1);
                rows.add(topic, Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3) == null ? null : new Subscription(
                        topic, rs.getString(3), rs.getString(4), SubscriptionFilter.headers(json.readHeaders(rs.getString(5))),
                        Instant.ofEpochMilli(rs.getLong(6))));
            }
        }
        return rows.topics();
    }

    /** A subscription's filter as its column holds it: null for one that matches everything. */
    public static String filterJson(SubscriptionFilter filter, StoredJson json) {
        return filter.isEmpty() ? null : json.writeHeaders(filter.headers());
    }

    /** One row: the topic, and its subscription, or null for a topic without any. */
    public void add(String topic, Instant topicCreatedAt, Subscription subscription) {
        if (!topic.equals(current)) {
            finish();
            current = topic;
            createdAt = topicCreatedAt;
        }
        if (subscription != null) {
            subscriptions.add(subscription);
        }
    }

    /** The topics of every row added. */
    public List<Topic> topics() {
        finish();
        return List.copyOf(topics);
    }

    private void finish() {
        if (current != null) {
            topics.add(new Topic(current, createdAt, subscriptions));
            current = null;
            subscriptions = new ArrayList<>();
        }
    }

    /** Creates the topic {@code name} unless it exists; whether it was created. */
    public static boolean upsertTopic(Connection c, String name, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO topics (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")) {
            ps.setString(1, name);
            ps.setLong(2, now.toEpochMilli());
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Throws {@link TopicNotFoundException} unless the topic exists; on PostgreSQL its row is then
     * held ({@code FOR KEY SHARE}) until commit, so that no one deletes it meanwhile.
     */
    public static void requireTopic(Connection c, String topic, Dialect dialect) throws SQLException {
        if (!exists(c, "SELECT 1 FROM topics WHERE name = ?" + dialect.keyShare(), topic)) {
            throw new TopicNotFoundException(topic);
        }
    }

    /** As {@link #requireTopic}, for the queue a subscription sends to. */
    public static void requireQueue(Connection c, String queue, Dialect dialect) throws SQLException {
        if (!exists(c, "SELECT 1 FROM queues WHERE name = ?" + dialect.keyShare(), queue)) {
            throw new QueueNotFoundException(queue);
        }
    }

    private static boolean exists(Connection c, String sql, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Creates or replaces a subscription; parameters: see {@link #bindSubscription}. */
    public static final String UPSERT_SUBSCRIPTION = """
            INSERT INTO subscriptions (topic, name, queue, filter, created_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (topic, name) DO UPDATE SET queue = excluded.queue, filter = excluded.filter""";

    /** Binds {@code s} to {@link #UPSERT_SUBSCRIPTION}. */
    public static void bindSubscription(PreparedStatement ps, NewSubscription s, StoredJson json) throws SQLException {
        ps.setString(1, s.topic());
        ps.setString(2, s.name());
        ps.setString(3, s.queue());
        ps.setString(4, filterJson(s.filter(), json));
        ps.setLong(5, s.now().toEpochMilli());
    }

    /** Deletes a subscription of an existing topic. */
    public static void deleteSubscription(Connection c, String topic, String name, Dialect dialect) throws SQLException {
        requireTopic(c, topic, dialect);
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM subscriptions WHERE topic = ? AND name = ?")) {
            ps.setString(1, topic);
            ps.setString(2, name);
            if (ps.executeUpdate() == 0) {
                throw new SubscriptionNotFoundException(topic, name);
            }
        }
    }

    /**
     * Every topic, or only {@code name} when it is not null, with its subscriptions: one statement,
     * so one snapshot, in bytewise name order on every database.
     */
    public static List<Topic> read(Connection c, String name, Dialect dialect, StoredJson json) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT t.name, t.created_at, s.name, s.queue, s.filter, s.created_at "
                + "FROM topics t LEFT JOIN subscriptions s ON s.topic = t.name" + (name == null ? "" : " WHERE t.name = ?")
                + " ORDER BY " + dialect.bytewise("t.name") + ", " + dialect.bytewise("s.name"))) {
            if (name != null) {
                ps.setString(1, name);
            }
            return read(ps, json);
        }
    }
}
