package dev.postroom.store;

import dev.postroom.Topic;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Durable storage of topics and their subscriptions, reached through {@link MessageStore#topics()}.
 * Publishing is not here: the engine resolves a topic's matching subscriptions and stores the
 * copies with {@link MessageStore#send}, one {@link SendBatch} over several queues, all or nothing.
 *
 * <p>As for {@link MessageStore}: mutations complete once durable, or exceptionally with a {@link
 * dev.postroom.PostroomException} subtype and nothing changed; reads are synchronous and see every
 * completed mutation. Names were validated by the engine. Subscriptions do not follow their queue:
 * deleting a queue leaves its subscriptions, and a publish that matches one fails (the batch names
 * the missing queue) until the subscription is removed or the queue created again.
 */
public interface TopicStore {

    /** Creates the topic unless it exists; completes with true when it was created. */
    CompletableFuture<Boolean> upsertTopic(String name, Instant now);

    /** The topic with its subscriptions (by name), if it exists. */
    Optional<Topic> topic(String name);

    /** Every topic with its subscriptions, by name. */
    List<Topic> topics();

    /**
     * Deletes the topic and its subscriptions (messages already published stay in their queues);
     * {@link dev.postroom.TopicNotFoundException} when there is none.
     */
    CompletableFuture<Void> deleteTopic(String name);

    /**
     * Creates the subscription, or replaces the queue and filter of the existing one of that name
     * (keeping its {@code createdAt}); completes with true when it was created. {@link
     * dev.postroom.TopicNotFoundException} or {@link dev.postroom.QueueNotFoundException} when the
     * topic or the queue does not exist.
     */
    CompletableFuture<Boolean> upsertSubscription(NewSubscription subscription);

    /**
     * Deletes one subscription; {@link dev.postroom.SubscriptionNotFoundException} when the topic
     * has none of that name ({@link dev.postroom.TopicNotFoundException} when there is no topic).
     */
    CompletableFuture<Void> deleteSubscription(String topic, String name);
}
