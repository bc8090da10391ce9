package dev.postroom.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.Backoff;
import dev.postroom.InvalidMessageException;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.QueueInfo;
import dev.postroom.QueuePolicy;
import dev.postroom.server.auth.Scope;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** {@code /api/v1/queues}: create and change policies, list with counts, pause, purge, redrive, delete. */
final class QueueRoutes {
    private final Postroom postroom;
    private final ObjectMapper mapper;
    private final AuditTrail audit;

    QueueRoutes(Postroom postroom, ObjectMapper mapper, AuditTrail audit) {
        this.postroom = postroom;
        this.mapper = mapper;
        this.audit = audit;
    }

    void register(RoutesConfig routes) {
        routes.put("/api/v1/queues/{queue}", this::put);
        routes.get("/api/v1/queues", this::list);
        routes.get("/api/v1/queues/{queue}", this::get);
        routes.delete("/api/v1/queues/{queue}", this::delete);
        routes.post("/api/v1/queues/{queue}/pause", ctx -> pause(ctx, true));
        routes.post("/api/v1/queues/{queue}/resume", ctx -> pause(ctx, false));
        routes.post("/api/v1/queues/{queue}/purge", this::purge);
        routes.post("/api/v1/queues/{queue}/redrive", this::redrive);
    }

    private void put(Context ctx) throws IOException {
        Access.require(ctx, Scope.Kind.ADMIN);
        String queue = ctx.pathParam("queue");
        Bodies.QueuePolicy body = Bodies.read(ctx, mapper, Bodies.QueuePolicy.class);
        QueuePolicy base = postroom.queues().stream().filter(q -> q.name().equals(queue)).findFirst()
                .map(q -> q.policy()).orElse(QueuePolicy.DEFAULT);
        boolean created = postroom.createQueue(queue, PolicyLimits.merge(merge(base, body), body, PolicyLimits.nulled(ctx, mapper)));
        audit.record(ctx, created ? "queue.create" : "queue.update", "queue", queue, AuditTrail.fieldsSet(mapper, body));
        ctx.status(created ? 201 : 200).json(view(postroom.queue(queue)));
    }

    /** The body's fields over {@code base}, but for the limits ({@link PolicyLimits#merge}). */
    static QueuePolicy merge(QueuePolicy base, Bodies.QueuePolicy body) {
        QueuePolicy policy = base;
        if (body.maxAttempts() != null) {
            policy = policy.withMaxAttempts(body.maxAttempts());
        }
        if (body.backoff() != null) {
            Backoff b = policy.backoff();
            policy = policy.withBackoff(new Backoff(
                    body.backoff().initialSeconds() == null ? b.initial() : seconds("backoff.initialSeconds", body.backoff().initialSeconds()),
                    body.backoff().maxSeconds() == null ? b.max() : seconds("backoff.maxSeconds", body.backoff().maxSeconds()),
                    body.backoff().multiplier() == null ? b.multiplier() : body.backoff().multiplier()));
        }
        if (body.leaseSeconds() != null) {
            policy = policy.withLease(seconds("leaseSeconds", body.leaseSeconds()));
        }
        if (body.concurrency() != null) {
            policy = policy.withConcurrency(body.concurrency());
        }
        if (body.retentionHours() != null) {
            policy = policy.withRetention(seconds("retentionHours", body.retentionHours() * 3600));
        }
        if (body.deadRetentionHours() != null) {
            policy = policy.withDeadRetention(seconds("deadRetentionHours", body.deadRetentionHours() * 3600));
        }
        if (body.encrypted() != null) {
            policy = policy.withEncrypted(body.encrypted());
        }
        if (body.archiveHours() != null) {
            policy = policy.withArchive(seconds("archiveHours", body.archiveHours() * 3600));
        }
        return policy;
    }

    /** Seconds as a duration; the core validates ranges, this only refuses what a Duration cannot hold. */
    static Duration seconds(String field, double seconds) {
        if (Double.isNaN(seconds) || Math.abs(seconds) > 1e10) {
            throw new InvalidMessageException(field, "out of range: " + seconds);
        }
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    private void list(Context ctx) {
        Access.require(ctx, Scope.Kind.READ);
        ctx.json(new Views.Queues(postroom.queues().stream().map(this::view).toList()));
    }

    private void get(Context ctx) {
        Access.require(ctx, Scope.Kind.READ);
        ctx.json(view(postroom.queue(ctx.pathParam("queue"))));
    }

    private void delete(Context ctx) {
        Access.require(ctx, Scope.Kind.ADMIN);
        String force = ctx.queryParam("force");
        if (force != null && !force.equals("true") && !force.equals("false")) {
            throw ApiException.badRequest("force", "must be true or false");
        }
        postroom.deleteQueue(ctx.pathParam("queue"), "true".equals(force));
        audit.record(ctx, "queue.delete", "queue", ctx.pathParam("queue"), Map.of("force", "true".equals(force)));
        ctx.status(204);
    }

    private void pause(Context ctx, boolean paused) {
        Access.require(ctx, Scope.Kind.OPERATE);
        String queue = ctx.pathParam("queue");
        if (paused) {
            postroom.pause(queue);
        } else {
            postroom.resume(queue);
        }
        audit.record(ctx, paused ? "queue.pause" : "queue.resume", "queue", queue, null);
        ctx.json(view(postroom.queue(queue)));
    }

    private void purge(Context ctx) throws IOException {
        Access.require(ctx, Scope.Kind.OPERATE);
        Bodies.Purge body = Bodies.read(ctx, mapper, Bodies.Purge.class);
        if (body.states() == null || body.states().isEmpty()) {
            throw new InvalidMessageException("states", "name at least one state, e.g. [\"SUCCEEDED\", \"DEAD\"]");
        }
        Set<MessageState> states = EnumSet.noneOf(MessageState.class);
        for (String state : body.states()) {
            states.add(MessageRoutes.state("states", state));
        }
        String queue = ctx.pathParam("queue");
        int purged = postroom.purge(queue, states);
        audit.record(ctx, "queue.purge", "queue", queue, Map.of("states", states.stream().map(Enum::name).toList(), "purged", purged));
        ctx.json(new Views.Purged(purged));
    }

    private void redrive(Context ctx) throws IOException {
        Access.require(ctx, Scope.Kind.OPERATE);
        Bodies.Redrive body = Bodies.read(ctx, mapper, Bodies.Redrive.class);
        String queue = ctx.pathParam("queue");
        int redriven;
        if (body.filter() == null) {
            redriven = postroom.redrive(queue);
            audit.record(ctx, "queue.redrive", "queue", queue, Map.of("redriven", redriven));
        } else {
            redriven = DeadRedrive.run(postroom, queue, body.filter());
            audit.record(ctx, "queue.redrive", "queue", queue, Map.of("redriven", redriven,
                    "filter", AuditTrail.fieldsSet(mapper, body.filter())));
        }
        ctx.json(new Views.Redriven(redriven));
    }

    private Views.Queue view(QueueInfo queue) {
        return Views.Queue.of(queue, postroom.clock().instant());
    }
}
