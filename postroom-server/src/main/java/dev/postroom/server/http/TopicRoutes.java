package dev.postroom.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.InvalidMessageException;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.PublishResult;
import dev.postroom.QueueNotFoundException;
import dev.postroom.Subscription;
import dev.postroom.SubscriptionFilter;
import dev.postroom.SubscriptionNotFoundException;
import dev.postroom.Topic;
import dev.postroom.TopicDelivery;
import dev.postroom.Futures;
import dev.postroom.server.auth.Scope;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/topics}: create, list, show and delete topics, add and remove subscriptions (the
 * scopes that manage queues: {@code read} to look, {@code admin} to change), and publish, which
 * needs {@code send:<glob>} matching the topic's name (not the subscribed queues': whoever manages
 * the topic decides where its messages go).
 */
final class TopicRoutes {
    private final Postroom postroom;
    private final ObjectMapper mapper;
    private final MessageRoutes sends;
    private final AuditTrail audit;

    TopicRoutes(Postroom postroom, ObjectMapper mapper, MessageRoutes sends, AuditTrail audit) {
        this.postroom = postroom;
        this.mapper = mapper;
        this.sends = sends;
        this.audit = audit;
    }

    void register(RoutesConfig routes) {
        routes.put("/api/v1/topics/{topic}", this::put);
        routes.get("/api/v1/topics", this::list);
        routes.get("/api/v1/topics/{topic}", this::get);
        routes.delete("/api/v1/topics/{topic}", this::delete);
        routes.put("/api/v1/topics/{topic}/subscriptions/{name}", this::subscribe);
        routes.delete("/api/v1/topics/{topic}/subscriptions/{name}", this::unsubscribe);
        routes.post("/api/v1/topics/{topic}/messages", this::publish);
    }

    // ---- bodies and views (field names are the API's) ----

    /** {@code PUT /topics/{topic}} takes {@code {}}: a topic has no settings (yet). */
    record TopicInput() {
    }

    record Filter(Map<String, String> headers) {
    }

    record SubscriptionInput(String queue, Filter filter) {
    }

    record SubscriptionView(String name, String queue, Filter filter, Instant createdAt) {
        static SubscriptionView of(Subscription s) {
            return new SubscriptionView(s.name(), s.queue(), new Filter(s.filter().headers()), s.createdAt());
        }
    }

    record TopicView(String name, Instant createdAt, List<SubscriptionView> subscriptions) {
        static TopicView of(Topic t) {
            return new TopicView(t.name(), t.createdAt(), t.subscriptions().stream().map(SubscriptionView::of).toList());
        }
    }

    record Topics(List<TopicView> topics) {
    }

    record Delivery(String subscription, String queue, String id, MessageState state, boolean duplicate) {
        static Delivery of(TopicDelivery d) {
            return new Delivery(d.subscription(), d.queue(), d.id(), d.state(), d.duplicate());
        }
    }

    record Published(String topic, List<Delivery> deliveries) {
    }

    // ---- routes ----

    private void put(Context ctx) throws IOException {
        Access.require(ctx, Scope.Kind.ADMIN);
        String topic = ctx.pathParam("topic");
        Bodies.read(ctx, mapper, TopicInput.class);
        boolean created = postroom.topics().create(topic);
        if (created) {
            audit.record(ctx, "topic.create", "topic", topic, null);
        }
        ctx.status(created ? 201 : 200).json(TopicView.of(postroom.topics().get(topic)));
    }

    private void list(Context ctx) {
        Access.require(ctx, Scope.Kind.READ);
        ctx.json(new Topics(postroom.topics().list().stream().map(TopicView::of).toList()));
    }

    private void get(Context ctx) {
        Access.require(ctx, Scope.Kind.READ);
        ctx.json(TopicView.of(postroom.topics().get(ctx.pathParam("topic"))));
    }

    private void delete(Context ctx) {
        Access.require(ctx, Scope.Kind.ADMIN);
        String topic = ctx.pathParam("topic");
        postroom.topics().delete(topic);
        audit.record(ctx, "topic.delete", "topic", topic, null);
        ctx.status(204);
    }

    private void subscribe(Context ctx) throws IOException {
        Access.require(ctx, Scope.Kind.ADMIN);
        String topic = ctx.pathParam("topic");
        String name = ctx.pathParam("name");
        SubscriptionInput body = Bodies.read(ctx, mapper, SubscriptionInput.class);
        if (body.queue() == null) {
            throw new InvalidMessageException("queue", "is required: the queue that receives the copies");
        }
        dev.postroom.server.alert.WebhookDeliveries.refuseSubscription(body.queue());
        Map<String, String> headers = body.filter() == null || body.filter().headers() == null ? Map.of() : body.filter().headers();
        headers.forEach((key, value) -> {
            if (value == null) {
                throw new InvalidMessageException("filter.headers." + key, "must be a string, not null");
            }
        });
        SubscriptionFilter filter = SubscriptionFilter.headers(headers);
        boolean created;
        try {
            created = postroom.topics().subscribe(topic, name, body.queue(), filter);
        } catch (QueueNotFoundException e) {
            // The topic in the path exists; what is wrong is a field of the body.
            throw new InvalidMessageException("queue", "no queue named " + e.queue() + "; create it first", e);
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("subscription", name);
        detail.put("queue", body.queue());
        detail.put("filter", filter.headers());
        audit.record(ctx, created ? "subscription.create" : "subscription.update", "topic", topic, detail);
        Subscription stored = postroom.topics().get(topic).subscriptions().stream()
                .filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new SubscriptionNotFoundException(topic, name));
        ctx.status(created ? 201 : 200).json(SubscriptionView.of(stored));
    }

    private void unsubscribe(Context ctx) {
        Access.require(ctx, Scope.Kind.ADMIN);
        String topic = ctx.pathParam("topic");
        String name = ctx.pathParam("name");
        postroom.topics().unsubscribe(topic, name);
        audit.record(ctx, "subscription.delete", "topic", topic, Map.of("subscription", name));
        ctx.status(204);
    }

    /** 201 when at least one copy was stored; 200 when none was (no subscription matched, or every copy was a duplicate). */
    private void publish(Context ctx) throws IOException {
        String topic = ctx.pathParam("topic");
        Access.require(ctx, Scope.Kind.SEND, topic);
        Bodies.Send body = Bodies.read(ctx, mapper, Bodies.Send.class);
        PublishResult result = Futures.join(postroom.topics().publish(topic, MessageRoutes.payload(body, ""),
                sends.options(body, "", MessageRoutes.traceparent(ctx))));
        boolean stored = result.deliveries().stream().anyMatch(d -> !d.duplicate());
        ctx.status(stored ? 201 : 200).json(new Published(result.topic(), result.deliveries().stream().map(Delivery::of).toList()));
    }
}
