package dev.postroom.server.console;

import dev.postroom.Message;
import dev.postroom.MessageNotFoundException;
import dev.postroom.MessagePage;
import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.QueueInfo;
import dev.postroom.Replay;
import dev.postroom.ReplayFilter;
import dev.postroom.ReplayPreview;
import dev.postroom.server.auth.Role;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The archive ({@code /console/archive}: the message browser's filters over archived messages,
 * and an archived message's page) and replays: an operator replays what the filters select —
 * live and archived finished messages of one queue — after a preview page that counts and samples
 * them; the replay's page follows its progress. Both ends are audited.
 */
final class ArchivePages {
    private static final List<MessageState> FINISHED = List.of(MessageState.SUCCEEDED, MessageState.DEAD, MessageState.CANCELLED);

    private final Postroom postroom;
    private final Templates templates;
    private final Audit audit;

    ArchivePages(Postroom postroom, Templates templates, Audit audit) {
        this.postroom = postroom;
        this.templates = templates;
        this.audit = audit;
    }

    void register(RoutesConfig routes) {
        routes.get("/console/archive", this::browse);
        routes.get("/console/archive/{id}", this::show);
        routes.post("/console/replays", this::replay);
        routes.get("/console/replays/{id}", this::follow);
    }

    private void browse(Context ctx) {
        Session session = ConsoleGuard.session(ctx);
        MessageFilter filter = MessageFilter.from(ctx);
        MessagePage page = postroom.archive().browse(filter.query());
        Map<String, Object> params = new HashMap<>();
        params.put("page", Page.of(session, "Archive", "archive"));
        params.put("filter", filter);
        params.put("queues", postroom.queues().stream().map(QueueInfo::name).toList());
        params.put("states", FINISHED);
        params.put("messages", Masking.found(postroom, session, page.messages(), filter.text(), postroom.archive()::get));
        params.put("next", page.next());
        params.put("replays", postroom.replays().list().stream().limit(5).toList());
        templates.page(ctx, "archive.jte", params);
    }

    private void show(Context ctx) {
        Session session = ConsoleGuard.session(ctx);
        String id = ctx.pathParam("id");
        Message message = Masking.message(postroom, session, postroom.archive().get(id).orElseThrow(() -> new MessageNotFoundException(id)));
        templates.page(ctx, "archived.jte", Map.of("page", Page.of(session, "Archived message " + id, "archive"), "message", message));
    }

    /** Without {@code confirm}: the preview page. With it: the replay starts and its page opens. */
    private void replay(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.OPERATOR);
        MessageFilter form = new MessageFilter(Params.form(ctx, "queue"), Params.form(ctx, "state"), Params.form(ctx, "key"),
                Params.form(ctx, "q"), Params.form(ctx, "since"), Params.form(ctx, "until"), "");
        String toQueue = Params.form(ctx, "toQueue");
        if (form.queue().isEmpty()) {
            throw ConsoleException.badRequest("choose the queue whose messages to replay");
        }
        ReservedQueues.requireAdminFor(session, form.queue(), toQueue);
        ReplayFilter filter;
        ReplayPreview preview;
        try {
            MessageQuery query = form.query();
            filter = new ReplayFilter(query.queue(), query.state(), query.since(), query.until(), query.text(), query.orderingKey());
            preview = postroom.replays().preview(filter);
        } catch (dev.postroom.InvalidMessageException e) {
            throw ConsoleException.invalid(e);
        }
        if (!"yes".equals(Params.form(ctx, "confirm"))) {
            templates.page(ctx, "replayPreview.jte", Map.of("page", Page.of(session, "Replay " + form.queue(), "archive"),
                    "filter", form, "toQueue", toQueue, "preview", preview));
            return;
        }
        Map<String, Object> what = new LinkedHashMap<>();
        what.put("queue", form.queue());
        what.put("state", form.state());
        what.put("since", form.since());
        what.put("until", form.until());
        what.put("q", form.text());
        what.put("orderingKey", form.key());
        what.put("toQueue", toQueue.isEmpty() ? form.queue() : toQueue);
        what.values().removeIf(v -> "".equals(v));
        String address = ctx.ip();
        Replay started = postroom.replays().start(filter, toQueue.isEmpty() ? null : toQueue, ended -> {
            Map<String, Object> detail = new LinkedHashMap<>(what);
            detail.put("state", ended.state().name());
            detail.put("replayed", ended.replayed());
            audit.recordOutcome(address, session, "replay.end", "replay", ended.id(), detail);
        });
        Map<String, Object> detail = new LinkedHashMap<>(what);
        detail.put("matched", started.matched());
        audit.record(ctx, session, "replay.start", "replay", started.id(), detail);
        ctx.redirect("/console/replays/" + Format.url(started.id()), HttpStatus.SEE_OTHER);
    }

    private void follow(Context ctx) {
        Session session = ConsoleGuard.session(ctx);
        String id = ctx.pathParam("id");
        Replay replay = postroom.replays().get(id)
                .orElseThrow(() -> ConsoleException.notFound("no replay " + id + " on this server (replays are remembered until it restarts)"));
        templates.page(ctx, "replay.jte", Map.of("page", Page.of(session, "Replay " + id, "archive"), "replay", replay));
    }
}
