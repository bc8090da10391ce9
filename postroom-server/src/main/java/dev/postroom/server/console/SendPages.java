package dev.postroom.server.console;

import dev.postroom.Futures;
import dev.postroom.InvalidMessageException;
import dev.postroom.Postroom;
import dev.postroom.PublishResult;
import dev.postroom.QueueInfo;
import dev.postroom.QueueNotFoundException;
import dev.postroom.SendOptions;
import dev.postroom.SendResult;
import dev.postroom.Topic;
import dev.postroom.TopicNotFoundException;
import dev.postroom.UniqueKeyConflictException;
import dev.postroom.server.auth.Role;
import dev.postroom.server.http.WireNames;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sending from the console ({@code /console/send}, operators and up): a message to a queue — JSON
 * payload checked with the line and column of a mistake, headers, ordering key, delay, priority — or
 * a publish to a topic. Each send is audited with what it sent where; a refused one is shown with
 * the form as it was typed, and sends nothing.
 */
final class SendPages {
    private final Postroom postroom;
    private final Templates templates;
    private final Audit audit;

    SendPages(Postroom postroom, Templates templates, Audit audit) {
        this.postroom = postroom;
        this.templates = templates;
        this.audit = audit;
    }

    void register(RoutesConfig routes) {
        routes.get("/console/send", this::show);
        routes.post("/console/send", this::send);
        routes.post("/console/publish", this::publish);
    }

    private void show(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.OPERATOR);
        String topic = ctx.queryParam("topic");
        render(ctx, session, SendFields.empty(ctx.queryParam("queue")), SendFields.empty(topic), null, null, topic != null);
    }

    private void render(Context ctx, Session session, SendFields message, SendFields publish, String error, String field, boolean publishing) {
        Map<String, Object> params = new HashMap<>();
        params.put("page", Page.of(session, "Send a message", "send"));
        params.put("queues", postroom.queues().stream().map(QueueInfo::name).toList());
        params.put("topics", postroom.topics().list().stream().map(Topic::name).toList());
        params.put("message", message);
        params.put("publish", publish);
        params.put("error", error);
        params.put("field", field);
        params.put("publishing", publishing);
        templates.page(ctx, "send.jte", params);
    }

    private void send(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.OPERATOR);
        SendFields fields = SendFields.from(ctx, "queue");
        ReservedQueues.requireAdminFor(session, fields.target());
        ComposeForm form = ComposeForm.read(fields.payload(), fields.headers());
        if (form.problem() != null) {
            refuse(ctx, session, fields, SendFields.empty(null), form.problem(), "payload", false);
            return;
        }
        SendResult sent;
        try {
            SendOptions options = options(fields, form, true);
            sent = Futures.join(postroom.send(fields.target(), form.payloadJson(), options));
        } catch (InvalidMessageException e) {
            refuse(ctx, session, fields, SendFields.empty(null), WireNames.message(e) + ". Nothing was sent.", WireNames.field(e), false);
            return;
        } catch (QueueNotFoundException | UniqueKeyConflictException e) {
            refuse(ctx, session, fields, SendFields.empty(null), e.getMessage() + ". Nothing was sent.", "queue", false);
            return;
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("queue", fields.target());
        detail.put("state", sent.state().name());
        audit.record(ctx, session, "message.send", "message", sent.id(), detail);
        session.flash("Sent " + sent.id() + " to " + fields.target() + " (" + Format.state(sent.state()) + ").");
        ctx.redirect("/console/messages/" + Format.url(sent.id()), HttpStatus.SEE_OTHER);
    }

    private void publish(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.OPERATOR);
        SendFields fields = SendFields.from(ctx, "topic");
        ComposeForm form = ComposeForm.read(fields.payload(), fields.headers());
        if (form.problem() != null) {
            refuse(ctx, session, SendFields.empty(null), fields, form.problem(), "payload", true);
            return;
        }
        PublishResult published;
        try {
            SendOptions options = options(fields, form, false);
            published = Futures.join(postroom.topics().publish(fields.target(), form.payloadJson(), options));
        } catch (InvalidMessageException e) {
            refuse(ctx, session, SendFields.empty(null), fields, WireNames.message(e) + ". Nothing was published.", WireNames.field(e), true);
            return;
        } catch (TopicNotFoundException | QueueNotFoundException | UniqueKeyConflictException e) {
            refuse(ctx, session, SendFields.empty(null), fields, e.getMessage() + ". Nothing was published.", "topic", true);
            return;
        }
        audit.record(ctx, session, "topic.publish", "topic", fields.target(),
                Map.of("deliveries", published.deliveries().size()));
        int copies = published.deliveries().size();
        session.flash(copies == 0 ? "Published to " + fields.target() + ": no subscription matched, so no message was stored."
                : "Published to " + fields.target() + ": " + copies + (copies == 1 ? " copy" : " copies") + " stored.");
        ctx.redirect("/console/topics", HttpStatus.SEE_OTHER);
    }

    private void refuse(Context ctx, Session session, SendFields message, SendFields publish, String error, String field, boolean publishing) {
        ctx.status(422);
        render(ctx, session, message, publish, error, field, publishing);
    }

    /** The options typed; a topic publish takes no delay field (its copies are sent at once). */
    private static SendOptions options(SendFields fields, ComposeForm form, boolean withDelay) {
        SendOptions.Builder options = SendOptions.builder().headers(form.headers());
        if (!fields.orderingKey().isBlank()) {
            options.orderingKey(fields.orderingKey().strip());
        }
        if (withDelay && !fields.delaySeconds().isBlank()) {
            options.delay(seconds(fields.delaySeconds().strip()));
        }
        if (!fields.priority().isBlank()) {
            try {
                options.priority(Integer.parseInt(fields.priority().strip()));
            } catch (NumberFormatException e) {
                throw new InvalidMessageException("priority", "must be a whole number 0–9, was " + fields.priority());
            }
        }
        return options.build();
    }

    private static Duration seconds(String text) {
        try {
            BigDecimal seconds = new BigDecimal(text);
            if (seconds.signum() < 0 || seconds.compareTo(BigDecimal.valueOf(315_360_000)) > 0) {
                throw new InvalidMessageException("delay", "must be 0 to 10 years in seconds, was " + text);
            }
            return Duration.ofMillis(seconds.movePointRight(3).longValue());
        } catch (NumberFormatException e) {
            throw new InvalidMessageException("delay", "must be a number of seconds, was " + text);
        }
    }
}
