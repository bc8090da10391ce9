package dev.postroom.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.InvalidMessageException;
import dev.postroom.Message;
import dev.postroom.MessageNotFoundException;
import dev.postroom.MessagePage;
import dev.postroom.Postroom;
import dev.postroom.Replay;
import dev.postroom.ReplayFilter;
import dev.postroom.ReplayPreview;
import dev.postroom.server.auth.ApiToken;
import dev.postroom.server.auth.Scope;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The archive and replays over HTTP: {@code GET /api/v1/archive} pages archived messages with the
 * filters of {@code GET /api/v1/messages} (and the same masking of sensitive fields), {@code GET
 * /api/v1/archive/{id}} shows one; {@code POST /api/v1/replays} previews ({@code dryRun}) or starts
 * a replay, for operators, audited at start and end with the filter and counts; {@code GET
 * /api/v1/replays/{id}} follows it.
 */
final class ArchiveRoutes {
    private final Postroom postroom;
    private final ObjectMapper mapper;
    private final AuditTrail audit;
    private final MessageRoutes messages;
    private final Redactions redactions;

    ArchiveRoutes(Postroom postroom, ObjectMapper mapper, AuditTrail audit, MessageRoutes messages) {
        this.postroom = postroom;
        this.mapper = mapper;
        this.audit = audit;
        this.messages = messages;
        this.redactions = new Redactions(postroom);
    }

    void register(RoutesConfig routes) {
        routes.get("/api/v1/archive", this::browse);
        routes.get("/api/v1/archive/{id}", this::get);
        routes.post("/api/v1/replays", this::replay);
        routes.get("/api/v1/replays", this::list);
        routes.get("/api/v1/replays/{id}", this::follow);
    }

    private void browse(Context ctx) {
        Access.require(ctx, Scope.Kind.READ);
        dev.postroom.MessageQuery query = MessageRoutes.query(ctx);
        MessagePage page = postroom.archive().browse(query);
        ctx.json(new Views.Page(redactions.found(Access.token(ctx), page.messages(), query.text(), postroom.archive()::get).stream()
                .map(Views.Summary::of).toList(), page.next()));
    }

    private void get(Context ctx) {
        ApiToken token = Access.require(ctx, Scope.Kind.READ);
        String id = ctx.pathParam("id");
        Message message = postroom.archive().get(id).filter(m -> Access.maySee(token, m.queue()))
                .orElseThrow(() -> new MessageNotFoundException(id));
        ctx.json(messages.full(redactions.message(token, message)));
    }

    private void replay(Context ctx) throws IOException {
        Access.require(ctx, Scope.Kind.OPERATE);
        Bodies.NewReplay body = Bodies.read(ctx, mapper, Bodies.NewReplay.class);
        if (body.filter() == null) {
            throw new InvalidMessageException("filter", "is required, e.g. {\"queue\": \"billing.refund\", \"state\": \"SUCCEEDED\"}");
        }
        ReplayFilter filter = filter(body.filter());
        // A replay reads one queue and sends to another: Postroom's own queues stay admin-only that way too.
        String target = body.toQueue() == null ? filter.queue() : body.toQueue();
        if (Access.reserved(Scope.Kind.RECEIVE, filter.queue()) || Access.reserved(Scope.Kind.SEND, target)) {
            Access.require(ctx, Scope.Kind.ADMIN);
        }
        if (Boolean.TRUE.equals(body.dryRun())) {
            ReplayPreview preview = postroom.replays().preview(filter);
            ctx.json(new Preview(preview.count(), preview.sample()));
            return;
        }
        Map<String, Object> what = describe(body.filter(), body.toQueue());
        AuditTrail.Later later = audit.later(ctx);
        Replay started = postroom.replays().start(filter, body.toQueue(), ended -> {
            Map<String, Object> detail = new LinkedHashMap<>(what);
            detail.put("state", ended.state().name());
            detail.put("replayed", ended.replayed());
            later.record("replay.end", "replay", ended.id(), detail);
        });
        Map<String, Object> detail = new LinkedHashMap<>(what);
        detail.put("matched", started.matched());
        audit.record(ctx, "replay.start", "replay", started.id(), detail);
        ctx.status(202).json(View.of(started));
    }

    private void list(Context ctx) {
        Access.require(ctx, Scope.Kind.OPERATE);
        ctx.json(new Replays(postroom.replays().list().stream().map(View::of).toList()));
    }

    private void follow(Context ctx) {
        Access.require(ctx, Scope.Kind.OPERATE);
        String id = ctx.pathParam("id");
        ctx.json(View.of(postroom.replays().get(id)
                .orElseThrow(() -> ApiException.notFound("no replay " + id + " in this process (replays are remembered until a restart)"))));
    }

    private static ReplayFilter filter(Bodies.ReplayFilter body) {
        return new ReplayFilter(body.queue(),
                body.state() == null ? null : MessageRoutes.state("filter.state", body.state()),
                body.since() == null ? null : MessageRoutes.instant("filter.since", body.since()),
                body.until() == null ? null : MessageRoutes.instant("filter.until", body.until()),
                body.q(), body.orderingKey());
    }

    /** The filter and target, for the audit log: what was asked for, never the payloads. */
    private static Map<String, Object> describe(Bodies.ReplayFilter filter, String toQueue) {
        Map<String, Object> what = new LinkedHashMap<>();
        what.put("queue", filter.queue());
        putIfGiven(what, "state", filter.state());
        putIfGiven(what, "since", filter.since());
        putIfGiven(what, "until", filter.until());
        putIfGiven(what, "q", filter.q());
        putIfGiven(what, "orderingKey", filter.orderingKey());
        what.put("toQueue", toQueue == null ? filter.queue() : toQueue);
        return what;
    }

    private static void putIfGiven(Map<String, Object> what, String name, String value) {
        if (value != null) {
            what.put(name, value);
        }
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Preview(long count, List<String> sample) {
    }

    record Replays(List<View> replays) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record View(String id, String state, String toQueue, long matched, long replayed, Instant startedAt, Instant endedAt, String error) {
        static View of(Replay r) {
            return new View(r.id(), r.state().name(), r.toQueue(), r.matched(), r.replayed(), r.startedAt(), r.endedAt(), r.error());
        }
    }
}
