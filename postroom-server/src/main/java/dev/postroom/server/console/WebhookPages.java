package dev.postroom.server.console;

import dev.postroom.InvalidMessageException;
import dev.postroom.server.alert.AlertEvent;
import dev.postroom.server.alert.WebhookAudit;
import dev.postroom.server.alert.WebhookStore;
import dev.postroom.server.auth.Role;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.time.InstantSource;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Alerts for admins ({@code /console/webhooks}): the registered webhooks, a form that registers
 * one or replaces its settings (the signing secret is shown once, on the page that issued it),
 * and delete. Audited as the API audits them: where alerts go, never the secret.
 */
final class WebhookPages {
    private final WebhookStore webhooks;
    private final Templates templates;
    private final Audit audit;
    private final InstantSource clock;

    WebhookPages(WebhookStore webhooks, Templates templates, Audit audit, InstantSource clock) {
        this.webhooks = webhooks;
        this.templates = templates;
        this.audit = audit;
        this.clock = clock;
    }

    void register(RoutesConfig routes) {
        routes.get("/console/webhooks", ctx -> page(ctx, ConsoleGuard.require(ctx, Role.ADMIN), WebhookForm.EMPTY, null, null, null));
        routes.post("/console/webhooks", this::save);
        routes.post("/console/webhooks/{name}/delete", this::delete);
    }

    private void save(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.ADMIN);
        WebhookForm form = new WebhookForm(Params.form(ctx, "name"), Params.form(ctx, "url"), ctx.formParams("events"),
                Params.form(ctx, "queues"), Params.form(ctx, "format"), Params.form(ctx, "staleSeconds"), Params.form(ctx, "unconsumedSeconds"),
                "on".equals(Params.form(ctx, "rotateSecret")));
        WebhookStore.Saved saved;
        try {
            saved = webhooks.put(form.spec(), form.rotateSecret(), clock.instant());
        } catch (InvalidMessageException e) {
            ctx.status(422);
            page(ctx, session, form, e.getMessage(), e.field(), null);
            return;
        }
        audit.record(ctx, session, WebhookAudit.action(saved), "webhook", saved.webhook().name(), WebhookAudit.detail(saved));
        if (saved.secret() == null) {
            session.flash("Saved webhook " + saved.webhook().name() + "; its secret is unchanged.");
            ctx.redirect("/console/webhooks", HttpStatus.SEE_OTHER);
            return;
        }
        // Shown on this answer only, never stored where a page could show it again.
        page(ctx, session, WebhookForm.EMPTY, null, null, saved);
    }

    private void delete(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.ADMIN);
        String name = ctx.pathParam("name");
        if (!webhooks.delete(name)) {
            throw ConsoleException.notFound("no webhook " + name);
        }
        audit.record(ctx, session, "webhook.delete", "webhook", name, Map.of());
        session.flash("Deleted webhook " + name + "; deliveries still queued for it are dropped.");
        ctx.redirect("/console/webhooks", HttpStatus.SEE_OTHER);
    }

    private void page(Context ctx, Session session, WebhookForm form, String error, String errorField, WebhookStore.Saved issued) {
        Map<String, Object> params = new HashMap<>();
        params.put("page", Page.of(session, "Alerts", "webhooks"));
        params.put("webhooks", webhooks.list());
        params.put("form", form);
        params.put("events", Arrays.stream(AlertEvent.values()).map(AlertEvent::wireName).toList());
        params.put("error", error);
        params.put("errorField", errorField);
        params.put("issued", issued);
        templates.page(ctx, "webhooks.jte", params);
    }
}
