package dev.postroom.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.InvalidMessageException;
import dev.postroom.MissedRuns;
import dev.postroom.Postroom;
import dev.postroom.QueueNotFoundException;
import dev.postroom.RawJson;
import dev.postroom.Schedule;
import dev.postroom.ScheduleDefinition;
import dev.postroom.server.auth.Scope;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/schedules}: create or replace (admin, as queue policies), list and show with the
 * next and last run (read), pause and resume (operate), delete (admin).
 */
final class ScheduleRoutes {
    private final Postroom postroom;
    private final ObjectMapper mapper;
    private final AuditTrail audit;

    ScheduleRoutes(Postroom postroom, ObjectMapper mapper, AuditTrail audit) {
        this.postroom = postroom;
        this.mapper = mapper;
        this.audit = audit;
    }

    /** The body of {@code PUT /api/v1/schedules/{name}}; {@code missedRuns} is {@code skip} (default) or {@code runOnce}. */
    record Put(String cron, String timezone, String queue, Bodies.JsonText payload, Map<String, String> headers, Boolean paused,
               String missedRuns) {
    }

    /** A schedule as the API shows it; {@code nextRunAt} is null while paused. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record View(String name, String cron, String timezone, String queue, @JsonRawValue String payload, Map<String, String> headers,
                String missedRuns, boolean paused, Instant nextRunAt, Instant lastRunAt, String lastMessageId,
                Instant createdAt, Instant updatedAt) {
        static View of(Schedule s) {
            return new View(s.name(), s.cron(), s.timezone().getId(), s.queue(), s.payloadJson(), s.headers(),
                    s.missedRuns().wireName(), s.paused(), s.nextRunAt(), s.lastRunAt(), s.lastMessageId(), s.createdAt(), s.updatedAt());
        }
    }

    record Views(List<View> schedules) {
    }

    void register(RoutesConfig routes) {
        routes.put("/api/v1/schedules/{name}", this::put);
        routes.get("/api/v1/schedules", this::list);
        routes.get("/api/v1/schedules/{name}", this::get);
        routes.delete("/api/v1/schedules/{name}", this::delete);
        routes.post("/api/v1/schedules/{name}/pause", ctx -> pause(ctx, true));
        routes.post("/api/v1/schedules/{name}/resume", ctx -> pause(ctx, false));
        routes.post("/api/v1/schedules/{name}/run", this::runNow);
    }

    private void put(Context ctx) throws IOException {
        Access.require(ctx, Scope.Kind.ADMIN);
        String name = ctx.pathParam("name");
        Put body = Bodies.read(ctx, mapper, Put.class);
        if (body.queue() == null) {
            throw new InvalidMessageException("queue", "is required");
        }
        if (body.payload() == null) {
            throw new InvalidMessageException("payload", "is required");
        }
        ScheduleDefinition.Builder definition = ScheduleDefinition.builder(name).cron(body.cron()).timezone(body.timezone())
                .queue(body.queue()).payload(new RawJson(body.payload().json()))
                .missedRuns(body.missedRuns() == null ? null : MissedRuns.parse("missedRuns", body.missedRuns()));
        if (body.headers() != null) {
            definition.headers(body.headers());
        }
        if (body.paused() != null) {
            definition.paused(body.paused());
        }
        boolean created;
        try {
            created = postroom.schedules().put(definition.build());
        } catch (QueueNotFoundException e) {
            // The path names the schedule: a 404 would read as "no such schedule". The body's queue is what is wrong.
            throw new InvalidMessageException("queue", "no queue named \"" + e.queue() + "\"; create it first");
        }
        audit.record(ctx, created ? "schedule.create" : "schedule.update", "schedule", name, AuditTrail.fieldsSet(mapper, body));
        ctx.status(created ? 201 : 200).json(View.of(postroom.schedules().get(name)));
    }

    private void list(Context ctx) {
        Access.require(ctx, Scope.Kind.READ);
        ctx.json(new Views(postroom.schedules().list().stream().map(View::of).toList()));
    }

    private void get(Context ctx) {
        Access.require(ctx, Scope.Kind.READ);
        ctx.json(View.of(postroom.schedules().get(ctx.pathParam("name"))));
    }

    private void delete(Context ctx) {
        Access.require(ctx, Scope.Kind.ADMIN);
        String name = ctx.pathParam("name");
        postroom.schedules().delete(name);
        audit.record(ctx, "schedule.delete", "schedule", name, null);
        ctx.status(204);
    }

    private void pause(Context ctx, boolean paused) {
        Access.require(ctx, Scope.Kind.OPERATE);
        String name = ctx.pathParam("name");
        Schedule schedule = paused ? postroom.schedules().pause(name) : postroom.schedules().resume(name);
        audit.record(ctx, paused ? "schedule.pause" : "schedule.resume", "schedule", name, null);
        ctx.json(View.of(schedule));
    }

    /** Sends the schedule's message now, outside its cron; the schedule is unchanged. */
    private void runNow(Context ctx) {
        Access.require(ctx, Scope.Kind.OPERATE);
        String name = ctx.pathParam("name");
        dev.postroom.SendResult sent = postroom.schedules().runNow(name);
        audit.record(ctx, "schedule.run", "schedule", name, java.util.Map.of("messageId", sent.id()));
        ctx.status(201).json(dev.postroom.server.http.Views.Sent.of(sent));
    }
}
