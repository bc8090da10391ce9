package dev.postroom;

import dev.postroom.engine.EngineContext;
import dev.postroom.engine.QueueNames;
import dev.postroom.store.MessageStore;
import dev.postroom.store.NewMessage;
import dev.postroom.store.NewSubscription;
import dev.postroom.store.SendBatch;
import dev.postroom.store.SendOutcome;
import dev.postroom.store.StoredQueue;
import dev.postroom.store.TopicStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Publish-subscribe on top of queues: a topic has subscriptions, each delivering to a queue and
 * optionally filtered by header values; publishing stores one copy of the message per matching
 * subscription, in one transaction (all copies or none). Each copy is then an ordinary message of
 * its queue, with its own id, attempts, retries and dead letter, as if it had been sent there.
 * Reach it with {@link Postroom#topics()}.
 * <pre>{@code
 * Topics topics = postroom.topics();
 * topics.create("orders");
 * topics.subscribe("orders", "billing", "billing-orders", SubscriptionFilter.ALL);
 * topics.subscribe("orders", "eu-shipping", "shipping-eu", SubscriptionFilter.header("region", "eu"));
 * PublishResult published = topics.publish("orders", order,
 *         SendOptions.builder().header("region", "eu").build()).join();
 * }</pre>
 *
 * <p>Names of topics, subscriptions and filter headers follow the queue-name rules ({@code
 * [A-Za-z0-9._-]{1,128}}). A topic has at most {@link Limits#maxBatchSize()} subscriptions, since a
 * publish is one batch. A filter is compared with the headers given to {@code publish} (not with
 * headers Postroom adds, such as {@code traceparent}). An idempotency key applies to each copy in
 * its own queue: publishing again with the same key returns the copies already stored, as
 * duplicates, and stores a copy only for a subscription that has none yet.
 *
 * <p>Invalid input throws at once and writes nothing. Subscriptions are not removed with their
 * queue: a publish matching a subscription whose queue no longer exists fails with
 * {@link QueueNotFoundException} and stores no copy at all, until the subscription is removed or
 * the queue created again. Thread-safe.
 */
public final class Topics {
    private final EngineContext engine;
    private final MessageStore store;
    private final TopicStore topics;

    Topics(EngineContext engine) {
        this.engine = engine;
        this.store = engine.store();
        this.topics = store.topics();
    }

    // ---------------------------------------------------------------- topics

    /**
     * Creates a topic, with no subscriptions; an existing topic is left as it is.
     *
     * @return true when the topic was created
     * @throws InvalidMessageException for a bad name (field {@code topic})
     */
    public boolean create(String topic) {
        engine.requireOpen();
        QueueNames.require("topic", topic);
        return Futures.join(topics.upsertTopic(topic, engine.clock().instant()));
    }

    /**
     * The topic with its subscriptions.
     *
     * @throws TopicNotFoundException when there is none
     */
    public Topic get(String topic) {
        QueueNames.require("topic", topic);
        return topics.topic(topic).orElseThrow(() -> new TopicNotFoundException(topic));
    }

    /** Every topic with its subscriptions, by name. */
    public List<Topic> list() {
        return topics.topics();
    }

    /**
     * Deletes a topic and its subscriptions. Messages it published stay in their queues.
     *
     * @throws TopicNotFoundException when there is none
     */
    public void delete(String topic) {
        engine.requireOpen();
        QueueNames.require("topic", topic);
        Futures.join(topics.deleteTopic(topic));
    }

    // ---------------------------------------------------------------- subscriptions

    /**
     * Subscribes {@code queue} to the topic under {@code name}, or changes the queue and filter of
     * the subscription of that name.
     *
     * @param filter which messages to take; {@link SubscriptionFilter#ALL} (or null) for all
     * @return true when the subscription was created, false when it was replaced
     * @throws InvalidMessageException for a bad name, queue name or filter (fields {@code topic},
     *                                 {@code subscription}, {@code queue}, {@code filter.headers...}),
     *                                 or when the topic has as many subscriptions as it may
     * @throws TopicNotFoundException  when the topic does not exist
     * @throws QueueNotFoundException  when the queue does not exist
     */
    public boolean subscribe(String topic, String name, String queue, SubscriptionFilter filter) {
        engine.requireOpen();
        QueueNames.require("topic", topic);
        QueueNames.require("subscription", name);
        QueueNames.require("queue", queue);
        SubscriptionFilter checked = filter == null ? SubscriptionFilter.ALL : filter;
        checkFilter(checked);
        Topic existing = get(topic);
        int max = engine.limits().maxBatchSize();
        boolean replacing = existing.subscriptions().stream().anyMatch(s -> s.name().equals(name));
        if (!replacing && existing.subscriptions().size() >= max) {
            throw new InvalidMessageException("subscription", "topic " + topic + " has " + max
                    + " subscriptions, the most it may have (a publish is one batch of at most " + max + " messages)");
        }
        engine.catalog().require(queue);
        return Futures.join(topics.upsertSubscription(new NewSubscription(topic, name, queue, checked, engine.clock().instant())));
    }

    /**
     * Removes a subscription: later publishes no longer reach its queue; copies it already received stay.
     *
     * @throws TopicNotFoundException        when the topic does not exist
     * @throws SubscriptionNotFoundException when the topic has no subscription of that name
     */
    public void unsubscribe(String topic, String name) {
        engine.requireOpen();
        QueueNames.require("topic", topic);
        QueueNames.require("subscription", name);
        Futures.join(topics.deleteSubscription(topic, name));
    }

    private void checkFilter(SubscriptionFilter filter) {
        Limits limits = engine.limits();
        if (filter.headers().size() > limits.maxHeaders()) {
            throw new InvalidMessageException("filter.headers", "at most " + limits.maxHeaders() + " entries, was " + filter.headers().size());
        }
        for (Map.Entry<String, String> header : filter.headers().entrySet()) {
            String field = "filter.headers." + header.getKey();
            QueueNames.require(field, header.getKey());
            if (header.getValue() == null) {
                throw new InvalidMessageException(field, "must not be null");
            }
            if (header.getValue().length() > limits.maxHeaderValueChars()) {
                throw new InvalidMessageException(field, "at most " + limits.maxHeaderValueChars()
                        + " characters, was " + header.getValue().length());
            }
        }
    }

    // ---------------------------------------------------------------- publishing

    /** Publishes with default options. */
    public CompletableFuture<PublishResult> publish(String topic, Object payload) {
        return publish(topic, payload, SendOptions.DEFAULTS);
    }

    /**
     * Publishes one message: stores a copy in the queue of every subscription whose filter matches
     * {@code options.headers()}, with the same payload and options, in one transaction. The future
     * completes once every copy is durable. No matching subscription is not an error: the result
     * then has no deliveries and nothing is stored.
     *
     * @param payload any Jackson-serialisable object, or {@link RawJson}
     * @throws InvalidMessageException  for a bad topic name, option or payload, naming the field
     * @throws MessageTooLargeException when the JSON payload is over {@link Limits#maxPayloadBytes()}
     * @throws TopicNotFoundException   when the topic does not exist
     * @throws QueueNotFoundException   when a matching subscription's queue no longer exists
     */
    public CompletableFuture<PublishResult> publish(String topic, Object payload, SendOptions options) {
        engine.requireOpen();
        QueueNames.require("topic", topic);
        SendOptions given = options == null ? SendOptions.DEFAULTS : options;
        Topic target = get(topic);
        // Serialised once: every copy carries the same JSON text.
        RawJson json = payload instanceof RawJson raw ? raw : new RawJson(engine.codec().encode("payload", payload));
        Instant now = engine.clock().instant();
        List<Subscription> matching = target.subscriptions().stream().filter(s -> s.filter().matches(given.headers())).toList();
        if (matching.isEmpty()) {
            // Checked all the same, so that a bad publish is refused whether or not anyone listens.
            engine.factory().create(topic, QueuePolicy.DEFAULT, json, given, now, "");
            return CompletableFuture.completedFuture(new PublishResult(topic, List.of()));
        }
        List<NewMessage> copies = new ArrayList<>(matching.size());
        for (Subscription subscription : matching) {
            StoredQueue queue = engine.catalog().require(subscription.queue());
            copies.add(engine.factory().create(queue.name(), queue.policy(), json, given, now, ""));
        }
        return store.send(new SendBatch(copies, now, engine.node())).thenApply(outcomes -> {
            List<TopicDelivery> deliveries = new ArrayList<>(outcomes.size());
            for (int i = 0; i < outcomes.size(); i++) {
                SendOutcome outcome = outcomes.get(i);
                String queue = copies.get(i).queue();
                engine.signals().changed(queue);
                engine.listener().sent(queue, outcome.id(), outcome.state(), outcome.duplicate());
                deliveries.add(new TopicDelivery(matching.get(i).name(), queue, outcome.id(), outcome.state(), outcome.duplicate()));
            }
            return new PublishResult(topic, deliveries);
        });
    }
}
