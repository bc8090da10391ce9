package dev.postroom.server.console;

import dev.postroom.server.http.WireNames;
import dev.postroom.InvalidMessageException;
import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.QueueInfo;
import dev.postroom.QueuePolicy;
import dev.postroom.server.auth.Role;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A queue's page ({@code /console/queues/{queue}}: per-state counts, policy, charts, newest
 * messages), pause and resume, purge behind a confirmation that shows what would go, and the
 * policy form, which only admins see and only admins may post.
 */
final class QueuePages {
    /** The states an operator may purge, in the order the confirmation lists them; in-flight messages are cancelled, not purged. */
    static final List<MessageState> PURGEABLE = List.of(MessageState.SUCCEEDED, MessageState.DEAD, MessageState.CANCELLED,
            MessageState.READY, MessageState.SCHEDULED);
    private static final int NEWEST = 20;

    private final Postroom postroom;
    private final Templates templates;
    private final Audit audit;

    QueuePages(Postroom postroom, Templates templates, Audit audit) {
        this.postroom = postroom;
        this.templates = templates;
        this.audit = audit;
    }

    void register(RoutesConfig routes) {
        routes.get("/console/queues/{queue}", ctx -> {
            Session session = ConsoleGuard.session(ctx);
            QueueInfo queue = postroom.queue(ctx.pathParam("queue"));
            show(ctx, session, queue, PolicyForm.of(queue.policy()), null, null);
        });
        routes.post("/console/queues/{queue}/pause", ctx -> pause(ctx, true));
        routes.post("/console/queues/{queue}/resume", ctx -> pause(ctx, false));
        routes.get("/console/queues/{queue}/purge", this::confirmPurge);
        routes.post("/console/queues/{queue}/purge", this::purge);
        routes.post("/console/queues/{queue}/policy", this::savePolicy);
    }

    /** The queue's page; {@code form} is what the policy form shows, {@code error} and {@code errorField} say what was wrong with it. */
    private void show(Context ctx, Session session, QueueInfo queue, PolicyForm form, String error, String errorField) {
        Map<String, Object> params = new HashMap<>();
        params.put("page", Page.of(session, "Queue " + queue.name(), "overview"));
        params.put("queue", queue);
        params.put("policy", PolicyForm.of(queue.policy()));
        params.put("form", form);
        params.put("error", error);
        params.put("errorField", errorField == null ? "" : errorField);
        params.put("messages", Masking.summaries(postroom, session,
                postroom.browse(MessageQuery.builder().queue(queue.name()).limit(NEWEST).build()).messages()));
        params.put("series", "/console/series.json?window=15m&queue=" + Format.url(queue.name()));
        templates.page(ctx, "queue.jte", params);
    }

    private void pause(Context ctx, boolean paused) {
        Session session = ConsoleGuard.require(ctx, Role.OPERATOR);
        String queue = postroom.queue(ctx.pathParam("queue")).name();
        if (paused) {
            postroom.pause(queue);
            session.flash("Paused " + queue + ": no messages are handed out until it is resumed; sends are still accepted.");
        } else {
            postroom.resume(queue);
            session.flash("Resumed " + queue + ".");
        }
        audit.record(ctx, session, paused ? "queue.pause" : "queue.resume", "queue", queue, Map.of());
        ctx.redirect(link(queue), HttpStatus.SEE_OTHER);
    }

    private void confirmPurge(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.OPERATOR);
        QueueInfo queue = postroom.queue(ctx.pathParam("queue"));
        Set<MessageState> ticked = states(ctx.queryParams("states"));
        List<PurgeChoice> choices = PURGEABLE.stream()
                .map(s -> new PurgeChoice(s, queue.counts().of(s), ticked.contains(s))).toList();
        long total = choices.stream().filter(PurgeChoice::checked).mapToLong(PurgeChoice::count).sum();
        templates.page(ctx, "queuePurge.jte", Map.of("page", Page.of(session, "Purge " + queue.name(), "overview"),
                "queue", queue, "choices", choices, "total", total));
    }

    private void purge(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.OPERATOR);
        String queue = postroom.queue(ctx.pathParam("queue")).name();
        Set<MessageState> states = states(ctx.formParams("states"));
        if (states.isEmpty()) {
            throw new ConsoleException(422, "states: tick at least one state to purge; nothing was removed.");
        }
        int purged = postroom.purge(queue, states);
        audit.record(ctx, session, "queue.purge", "queue", queue,
                Map.of("states", states.stream().map(Enum::name).toList(), "purged", purged));
        session.flash("Purged " + Format.count(purged) + (purged == 1 ? " message" : " messages") + " from " + queue + ".");
        ctx.redirect(link(queue), HttpStatus.SEE_OTHER);
    }

    private void savePolicy(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.ADMIN);
        QueueInfo queue = postroom.queue(ctx.pathParam("queue"));
        PolicyForm form = PolicyForm.from(ctx);
        QueuePolicy policy;
        try {
            // The form has no snooze limit, sensitive fields, encryption or archive: the queue keeps what it has
            // (an archive dropped here would be emptied at the next retention pass).
            policy = form.toPolicy().withMaxSnoozes(queue.policy().maxSnoozes()).withSensitiveFields(queue.policy().sensitiveFields())
                    .withEncrypted(queue.policy().encrypted()).withArchive(queue.policy().archive());
            postroom.createQueue(queue.name(), policy);
        } catch (InvalidMessageException e) {
            ctx.status(422);
            show(ctx, session, queue, form, WireNames.message(e) + ". The policy was not changed.", WireNames.field(e));
            return;
        }
        audit.record(ctx, session, "queue.update", "queue", queue.name(),
                Map.of("old", PolicyForm.of(queue.policy()).values(), "new", PolicyForm.of(policy).values()));
        session.flash("Policy saved.");
        ctx.redirect(link(queue.name()), HttpStatus.SEE_OTHER);
    }

    /** The states named in a form or query; an unknown or unpurgeable name is refused, not ignored. */
    private static Set<MessageState> states(List<String> names) {
        Set<MessageState> states = EnumSet.noneOf(MessageState.class);
        for (String name : names) {
            MessageState state = PURGEABLE.stream().filter(s -> s.name().equals(name)).findFirst()
                    .orElseThrow(() -> new ConsoleException(422, "states: \"" + name + "\" cannot be purged; choose from "
                            + PURGEABLE.stream().map(Enum::name).toList() + "."));
            states.add(state);
        }
        return states;
    }

    private static String link(String queue) {
        return "/console/queues/" + Format.url(queue);
    }
}
