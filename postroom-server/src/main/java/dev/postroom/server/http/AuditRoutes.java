package dev.postroom.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.postroom.server.audit.AuditEntry;
import dev.postroom.server.audit.AuditLog;
import dev.postroom.server.audit.AuditPage;
import dev.postroom.server.audit.AuditQuery;
import dev.postroom.server.auth.Scope;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.time.Instant;
import java.util.List;

/**
 * {@code GET /api/v1/audit}: who did what, newest first, with the {@code read} scope. Entries hold
 * no secrets, so anyone who may look at queues may see who changed them.
 */
final class AuditRoutes {
    private final AuditLog audit;

    AuditRoutes(AuditLog audit) {
        this.audit = audit;
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Entry(long id, Instant at, String actor, String action, String targetType, String target,
                 @JsonRawValue String detail, String address) {
        static Entry of(AuditEntry e) {
            return new Entry(e.id(), e.at(), e.actor(), e.action(), e.targetType(), e.target(), e.detail(), e.address());
        }
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Entries(List<Entry> entries, String next) {
    }

    void register(RoutesConfig routes) {
        routes.get("/api/v1/audit", this::browse);
    }

    private void browse(Context ctx) {
        Access.require(ctx, Scope.Kind.READ);
        AuditQuery.Builder query = AuditQuery.builder()
                .actor(ctx.queryParam("actor"))
                .action(ctx.queryParam("action"))
                .target(ctx.queryParam("target"))
                .after(ctx.queryParam("after"));
        if (ctx.queryParam("since") != null) {
            query.since(MessageRoutes.instant("since", ctx.queryParam("since")));
        }
        if (ctx.queryParam("until") != null) {
            query.until(MessageRoutes.instant("until", ctx.queryParam("until")));
        }
        if (ctx.queryParam("limit") != null) {
            try {
                query.limit(Integer.parseInt(ctx.queryParam("limit")));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("limit", "must be a whole number");
            }
        }
        AuditPage page = audit.browse(query.build());
        ctx.json(new Entries(page.entries().stream().map(Entry::of).toList(), page.next()));
    }
}
