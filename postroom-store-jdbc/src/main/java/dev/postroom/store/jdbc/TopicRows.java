package dev.postroom.store.jdbc;

import dev.postroom.Subscription;
import dev.postroom.SubscriptionFilter;
import dev.postroom.Topic;

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
}
