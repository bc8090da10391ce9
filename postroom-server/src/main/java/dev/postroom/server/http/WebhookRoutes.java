package dev.postroom.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.server.alert.Webhook;
import dev.postroom.server.alert.WebhookSpec;
import dev.postroom.server.alert.WebhookAudit;
import dev.postroom.server.alert.WebhookStore;
import dev.postroom.server.auth.Scope;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

/**
 * {@code /api/v1/webhooks}: outbound alert webhooks, admin scope only. The signing secret is in the
 * answer of the {@code PUT} that issued it and nowhere else; the audit log records the URL's origin
 * only, since a path may carry a credential (Slack's do) and the log is readable with {@code read}.
 */
final class WebhookRoutes {
    private final WebhookStore webhooks;
    private final ObjectMapper mapper;
    private final InstantSource clock;
    private final AuditTrail audit;

    WebhookRoutes(WebhookStore webhooks, ObjectMapper mapper, InstantSource clock, AuditTrail audit) {
        this.webhooks = webhooks;
        this.mapper = mapper;
        this.clock = clock;
        this.audit = audit;
    }

    record View(String name, String url, List<String> events, List<String> queues, String format, long staleSeconds,
                long unconsumedSeconds, Instant createdAt, Instant updatedAt) {
        static View of(Webhook w) {
            return new View(w.name(), w.url(), WebhookAudit.eventNames(w), w.queues(), w.format().wireName(), w.staleSeconds(), w.unconsumedSeconds(),
                    w.createdAt(), w.updatedAt());
        }
    }

    /** The answer of a PUT: the webhook, and its secret when this PUT issued one (else null). */
    record Saved(String name, String url, List<String> events, List<String> queues, String format, long staleSeconds,
                 long unconsumedSeconds, Instant createdAt, Instant updatedAt, String secret) {
        static Saved of(WebhookStore.Saved saved) {
            Webhook w = saved.webhook();
            return new Saved(w.name(), w.url(), WebhookAudit.eventNames(w), w.queues(), w.format().wireName(), w.staleSeconds(), w.unconsumedSeconds(),
                    w.createdAt(), w.updatedAt(), saved.secret());
        }
    }

    record Webhooks(List<View> webhooks) {
    }

    void register(RoutesConfig routes) {
        routes.put("/api/v1/webhooks/{name}", this::put);
        routes.get("/api/v1/webhooks", ctx -> {
            Access.require(ctx, Scope.Kind.ADMIN);
            ctx.json(new Webhooks(webhooks.list().stream().map(View::of).toList()));
        });
        routes.delete("/api/v1/webhooks/{name}", ctx -> {
            Access.require(ctx, Scope.Kind.ADMIN);
            String name = ctx.pathParam("name");
            if (!webhooks.delete(name)) {
                throw ApiException.notFound("no webhook " + name);
            }
            audit.record(ctx, "webhook.delete", "webhook", name, null);
            ctx.status(204);
        });
    }

    private void put(Context ctx) throws IOException {
        Access.require(ctx, Scope.Kind.ADMIN);
        Bodies.WebhookInput body = Bodies.read(ctx, mapper, Bodies.WebhookInput.class);
        WebhookSpec spec = WebhookSpec.of(ctx.pathParam("name"), body.url(), body.events(), body.queues(), body.format(),
                body.staleSeconds(), body.unconsumedSeconds());
        WebhookStore.Saved saved = webhooks.put(spec, Boolean.TRUE.equals(body.rotateSecret()), clock.instant());
        audit.record(ctx, WebhookAudit.action(saved), "webhook", saved.webhook().name(), WebhookAudit.detail(saved));
        ctx.status(saved.created() ? 201 : 200).json(Saved.of(saved));
    }

}
