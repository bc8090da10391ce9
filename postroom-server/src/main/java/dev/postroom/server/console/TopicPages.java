package dev.postroom.server.console;

import dev.postroom.server.http.WireNames;
import dev.postroom.InvalidMessageException;
import dev.postroom.Postroom;
import dev.postroom.QueueInfo;
import dev.postroom.QueueNotFoundException;
import dev.postroom.SubscriptionFilter;
import dev.postroom.Topic;
import dev.postroom.server.auth.Role;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Topics ({@code /console/topics}): every topic with its subscriptions, their filters and target
 * queues (linked, and flagged when the queue is gone). Admins, who manage queues, also create and
 * delete topics and add and remove subscriptions here, as over the API; everyone signed in may look.
 */
final class TopicPages {
    private final Postroom postroom;
    private final Templates templates;
    private final Audit audit;

    TopicPages(Postroom postroom, Templates templates, Audit audit) {
        this.postroom = postroom;
        this.templates = templates;
        this.audit = audit;
    }

    void register(RoutesConfig routes) {
        routes.get("/console/topics", ctx -> list(ctx, ConsoleGuard.session(ctx), TopicForm.EMPTY));
        routes.post("/console/topics", this::create);
        routes.post("/console/topics/{topic}/delete", this::delete);
        routes.post("/console/topics/{topic}/subscriptions", this::subscribe);
        routes.post("/console/topics/{topic}/subscriptions/{subscription}/delete", this::unsubscribe);
    }

    private void list(Context ctx, Session session, TopicForm form) {
        Map<String, Object> params = new HashMap<>();
        params.put("page", Page.of(session, "Topics", "topics"));
        params.put("topics", postroom.topics().list());
        Set<String> queues = postroom.queues().stream().map(QueueInfo::name).collect(Collectors.toCollection(java.util.TreeSet::new));
        params.put("queues", List.copyOf(queues));
        params.put("form", form);
        templates.page(ctx, "topics.jte", params);
    }

    private void create(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.ADMIN);
        String name = Params.form(ctx, "name");
        boolean created;
        try {
            created = postroom.topics().create(name);
        } catch (InvalidMessageException e) {
            refuse(ctx, session, new TopicForm("", name, "", "", WireNames.message(e) + ". No topic was created.", "topic"));
            return;
        }
        if (created) {
            audit.record(ctx, session, "topic.create", "topic", name, Map.of());
            session.flash("Created topic " + name + ". Subscribe queues to it below.");
        } else {
            session.flash("Topic " + name + " exists already; nothing changed.");
        }
        ctx.redirect(link(name), HttpStatus.SEE_OTHER);
    }

    private void delete(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.ADMIN);
        Topic topic = postroom.topics().get(ctx.pathParam("topic"));
        postroom.topics().delete(topic.name());
        audit.record(ctx, session, "topic.delete", "topic", topic.name(),
                Map.of("subscriptions", topic.subscriptions().stream().map(s -> s.name()).toList()));
        session.flash("Deleted topic " + topic.name() + " and its " + topic.subscriptions().size()
                + (topic.subscriptions().size() == 1 ? " subscription" : " subscriptions") + "; messages it published stay in their queues.");
        ctx.redirect("/console/topics", HttpStatus.SEE_OTHER);
    }

    private void subscribe(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.ADMIN);
        String topic = postroom.topics().get(ctx.pathParam("topic")).name();
        String name = Params.form(ctx, "name");
        String queue = Params.form(ctx, "queue");
        String filterText = Params.form(ctx, "filter");
        boolean created;
        SubscriptionFilter filter;
        try {
            filter = parseFilter(filterText);
            dev.postroom.server.alert.WebhookDeliveries.refuseSubscription(queue);
            created = postroom.topics().subscribe(topic, name, queue, filter);
        } catch (InvalidMessageException e) {
            refuse(ctx, session, new TopicForm(topic, name, queue, filterText,
                    WireNames.message(e) + ". The subscription was not saved.", WireNames.field(e)));
            return;
        } catch (QueueNotFoundException e) {
            refuse(ctx, session, new TopicForm(topic, name, queue, filterText,
                    "queue: there is no queue " + e.queue() + "; create it first. The subscription was not saved.", "queue"));
            return;
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("subscription", name);
        detail.put("queue", queue);
        detail.put("filter", filter.headers());
        audit.record(ctx, session, created ? "subscription.create" : "subscription.update", "topic", topic, detail);
        session.flash((created ? "Subscribed " : "Changed subscription " + name + ": now ") + queue + " to " + topic
                + (filter.isEmpty() ? " (every message)." : " (messages with " + Format.headers(filter.headers()) + ")."));
        ctx.redirect(link(topic), HttpStatus.SEE_OTHER);
    }

    private void unsubscribe(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.ADMIN);
        String topic = postroom.topics().get(ctx.pathParam("topic")).name();
        String name = ctx.pathParam("subscription");
        postroom.topics().unsubscribe(topic, name);
        audit.record(ctx, session, "subscription.delete", "topic", topic, Map.of("subscription", name));
        session.flash("Removed subscription " + name + " of " + topic + "; copies it received stay in their queue.");
        ctx.redirect(link(topic), HttpStatus.SEE_OTHER);
    }

    private void refuse(Context ctx, Session session, TopicForm form) {
        ctx.status(422);
        list(ctx, session, form);
    }

    /**
     * {@code name=value} pairs, one per line (values may hold commas and spaces); blank lines are
     * skipped, and no pair at all is a filter that takes every message.
     */
    static SubscriptionFilter parseFilter(String text) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line : text.split("\\R")) {
            String pair = line.strip();
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            if (equals <= 0) {
                throw new InvalidMessageException("filter", "\"" + pair + "\" is not name=value");
            }
            String name = pair.substring(0, equals).strip();
            if (headers.put(name, pair.substring(equals + 1).strip()) != null) {
                throw new InvalidMessageException("filter", "header " + name + " is named twice");
            }
        }
        return SubscriptionFilter.headers(headers);
    }

    /** The topic's section of the page. */
    static String link(String topic) {
        return "/console/topics#topic-" + Format.url(topic);
    }
}
