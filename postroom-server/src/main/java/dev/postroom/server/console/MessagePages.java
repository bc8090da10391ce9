package dev.postroom.server.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.InvalidMessageException;
import dev.postroom.Message;
import dev.postroom.MessageNotFoundException;
import dev.postroom.MessagePage;
import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.QueueInfo;
import dev.postroom.SendOptions;
import dev.postroom.SendResult;
import dev.postroom.server.auth.Role;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The message browser ({@code /console/messages}: filters, cursor paging), a message's page
 * (payload, headers, timeline, errors, progress, result; live while it is not final), its
 * actions (retry, cancel, delete) and edit-and-resend, which sends a new message carrying a
 * {@value #RESENT_FROM} header and leaves the original as it was.
 */
final class MessagePages {
    /** The header linking a resent message to its original. */
    static final String RESENT_FROM = "resent-from";

    private final Postroom postroom;
    private final Templates templates;
    private final Audit audit;
    private final ObjectMapper json = new ObjectMapper();

    MessagePages(Postroom postroom, Templates templates, Audit audit) {
        this.postroom = postroom;
        this.templates = templates;
        this.audit = audit;
    }

    void register(RoutesConfig routes) {
        routes.get("/console/messages", this::browse);
        routes.get("/console/messages/{id}", this::show);
        routes.get("/console/messages/{id}/live", this::live);
        routes.post("/console/messages/{id}/retry", ctx -> act(ctx, "retry"));
        routes.post("/console/messages/{id}/cancel", ctx -> act(ctx, "cancel"));
        routes.post("/console/messages/{id}/delete", ctx -> act(ctx, "delete"));
        routes.get("/console/messages/{id}/resend", ctx -> {
            Session session = ConsoleGuard.require(ctx, Role.OPERATOR);
            Message original = find(ctx.pathParam("id"));
            resendForm(ctx, session, original, original.queue(), Format.prettyJson(original.payloadJson()),
                    headersOf(original), null);
        });
        routes.post("/console/messages/{id}/resend", this::resend);
    }

    private void browse(Context ctx) {
        Session session = ConsoleGuard.session(ctx);
        MessageFilter filter = MessageFilter.from(ctx);
        long started = System.nanoTime();
        MessagePage page = postroom.browse(filter.query());
        double millis = (System.nanoTime() - started) / 1e6;
        Map<String, Object> params = new HashMap<>();
        params.put("page", Page.of(session, "Messages", "messages"));
        params.put("filter", filter);
        params.put("queues", postroom.queues().stream().map(QueueInfo::name).toList());
        params.put("states", List.of(MessageState.values()));
        params.put("messages", Masking.found(postroom, session, page.messages(), filter.text(), postroom::get));
        params.put("next", page.next());
        params.put("millis", millis);
        templates.page(ctx, "messages.jte", params);
    }

    private void show(Context ctx) {
        Session session = ConsoleGuard.session(ctx);
        Message message = Masking.message(postroom, session, find(ctx.pathParam("id")));
        templates.page(ctx, "message.jte", Map.of("page", Page.of(session, "Message " + message.id(), "messages"),
                "message", message, "resentFrom", String.valueOf(message.headers().getOrDefault(RESENT_FROM, ""))));
    }

    /** The changing part of a message's page, polled while the message is not final. */
    private void live(Context ctx) {
        ConsoleGuard.session(ctx);
        ctx.html(templates.render("messageLive.jte", Map.of("message", find(ctx.pathParam("id")))));
    }

    private void act(Context ctx, String action) {
        Session session = ConsoleGuard.require(ctx, Role.OPERATOR);
        String id = ctx.pathParam("id");
        Message message = find(id);
        switch (action) {
            case "retry" -> session.flash("Retried: the message is " + Format.state(postroom.retry(id)) + ".");
            case "cancel" -> session.flash("Cancelled: the message is " + Format.state(postroom.cancel(id)) + ".");
            default -> {
                postroom.delete(id);
                session.flash("Deleted message " + id + ".");
            }
        }
        audit.record(ctx, session, "message." + action, "message", id, Map.of("queue", message.queue()));
        ctx.redirect("delete".equals(action) ? "/console/messages?queue=" + Format.url(message.queue())
                : "/console/messages/" + Format.url(id), HttpStatus.SEE_OTHER);
    }

    private void resend(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.OPERATOR);
        Message original = find(ctx.pathParam("id"));
        String queue = String.valueOf(ctx.formParam("queue"));
        ReservedQueues.requireAdminFor(session, queue);
        String payload = String.valueOf(ctx.formParam("payload"));
        String headers = String.valueOf(ctx.formParam("headers"));
        ComposeForm form = ComposeForm.read(payload, headers);
        if (form.problem() != null) {
            ctx.status(422);
            resendForm(ctx, session, original, queue, payload, headers, form.problem());
            return;
        }
        Map<String, String> linked = new LinkedHashMap<>(form.headers());
        linked.put(RESENT_FROM, original.id());
        SendResult sent;
        try {
            sent = postroom.send(queue, form.payloadJson(),
                    SendOptions.builder().headers(linked).priority(original.priority()).build()).join();
        } catch (InvalidMessageException e) {
            ctx.status(422);
            resendForm(ctx, session, original, queue, payload, headers, e.getMessage());
            return;
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
        audit.record(ctx, session, "message.resend", "message", original.id(), Map.of("queue", queue, "newId", sent.id()));
        session.flash("Sent an edited copy of " + original.id() + " as a new message; the original is unchanged.");
        ctx.redirect("/console/messages/" + Format.url(sent.id()), HttpStatus.SEE_OTHER);
    }

    private void resendForm(Context ctx, Session session, Message original, String queue, String payload, String headers, String error) {
        Map<String, Object> params = new HashMap<>();
        params.put("page", Page.of(session, "Edit and resend", "messages"));
        params.put("message", original);
        params.put("queues", postroom.queues().stream().map(QueueInfo::name).toList());
        params.put("queue", queue);
        params.put("payload", payload);
        params.put("headers", headers);
        params.put("error", error);
        templates.page(ctx, "resend.jte", params);
    }

    private String headersOf(Message message) {
        Map<String, String> headers = new LinkedHashMap<>(message.headers());
        headers.remove(RESENT_FROM);
        try {
            return headers.isEmpty() ? "{}" : json.writerWithDefaultPrettyPrinter().writeValueAsString(headers);
        } catch (JsonProcessingException e) {
            return "{}";
        }
    }

    private Message find(String id) {
        return postroom.get(id).orElseThrow(() -> new MessageNotFoundException(id));
    }
}
