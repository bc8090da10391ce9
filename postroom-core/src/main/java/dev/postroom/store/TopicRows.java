package dev.postroom.store;

import dev.postroom.Subscription;
import dev.postroom.Topic;

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
