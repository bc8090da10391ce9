package dev.postroom.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.Erasure;
import dev.postroom.ErasureFilter;
import dev.postroom.ErasurePreview;
import dev.postroom.InvalidMessageException;
import dev.postroom.Postroom;
import dev.postroom.server.auth.Scope;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Erasures over HTTP, for admins: {@code POST /api/v1/erasures} previews ({@code dryRun}) or starts
 * one, {@code GET /api/v1/erasures/{id}} follows it. Both the start and the end are audited with the
 * filter and the counts, never with what was erased.
 */
final class ErasureRoutes {
    private final Postroom postroom;
    private final ObjectMapper mapper;
    private final AuditTrail audit;

    ErasureRoutes(Postroom postroom, ObjectMapper mapper, AuditTrail audit) {
        this.postroom = postroom;
        this.mapper = mapper;
        this.audit = audit;
    }

    void register(RoutesConfig routes) {
        routes.post("/api/v1/erasures", this::post);
        routes.get("/api/v1/erasures/{id}", this::get);
    }

    private void post(Context ctx) throws IOException {
        Access.require(ctx, Scope.Kind.ADMIN);
        Bodies.NewErasure body = Bodies.read(ctx, mapper, Bodies.NewErasure.class);
        if (body.filter() == null) {
            throw new InvalidMessageException("filter", "is required, e.g. {\"orderingKey\": \"customer-7\"}");
        }
        Bodies.ErasurePayload payload = body.filter().payload();
        if (payload != null && payload.value() != null && !payload.value().isValueNode()) {
            throw new InvalidMessageException("filter.payload.value", "must be a string, number or boolean");
        }
        ErasureFilter filter = new ErasureFilter(body.filter().orderingKey(), body.filter().headers(),
                payload == null ? null : payload.pointer(), payload == null || payload.value() == null ? null : payload.value().asText());
        filter.validate();
        if (Boolean.TRUE.equals(body.dryRun())) {
            ErasurePreview preview = postroom.erasures().preview(filter);
            ctx.json(new Preview(preview.count(), preview.sample()));
            return;
        }
        Map<String, Object> what = describe(filter);
        AuditTrail.Later later = audit.later(ctx);
        Erasure started = postroom.erasures().start(filter, ended -> {
            Map<String, Object> detail = new LinkedHashMap<>(what);
            detail.put("state", ended.state().name());
            detail.put("erased", ended.erased());
            later.record("erasure.end", "erasure", ended.id(), detail);
        });
        Map<String, Object> detail = new LinkedHashMap<>(what);
        detail.put("matched", started.matched());
        audit.record(ctx, "erasure.start", "erasure", started.id(), detail);
        ctx.status(202).json(View.of(started));
    }

    /** The filter, for the audit log: what was asked for, never what was erased. */
    private static Map<String, Object> describe(ErasureFilter filter) {
        Map<String, Object> what = new LinkedHashMap<>();
        if (filter.orderingKey() != null) {
            what.put("orderingKey", filter.orderingKey());
        }
        if (!filter.headers().isEmpty()) {
            what.put("headers", filter.headers());
        }
        if (filter.payloadPointer() != null) {
            what.put("payload", Map.of("pointer", filter.payloadPointer(), "value", filter.payloadValue()));
        }
        return what;
    }

    private void get(Context ctx) {
        Access.require(ctx, Scope.Kind.ADMIN);
        String id = ctx.pathParam("id");
        ctx.json(View.of(postroom.erasures().get(id)
                .orElseThrow(() -> ApiException.notFound("no erasure " + id + " in this process (erasures are remembered until a restart)"))));
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Preview(long count, List<String> sample) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record View(String id, String state, long matched, long erased, Instant startedAt, Instant endedAt, String error) {
        static View of(Erasure e) {
            return new View(e.id(), e.state().name(), e.matched(), e.erased(), e.startedAt(), e.endedAt(), e.error());
        }
    }
}
