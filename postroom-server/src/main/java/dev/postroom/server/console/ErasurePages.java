package dev.postroom.server.console;

import dev.postroom.Erasure;
import dev.postroom.ErasureFilter;
import dev.postroom.ErasurePreview;
import dev.postroom.Postroom;
import dev.postroom.server.auth.Role;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Erasure for admins ({@code /console/erasures}): "forget customer 7" by ordering key, a header
 * or a payload field, through a preview page that counts and samples the matches (live and
 * archived) to a progress page. Audited at start and end with the filter and counts, never with
 * what was erased.
 */
final class ErasurePages {
    private final Postroom postroom;
    private final Templates templates;
    private final Audit audit;

    ErasurePages(Postroom postroom, Templates templates, Audit audit) {
        this.postroom = postroom;
        this.templates = templates;
        this.audit = audit;
    }

    void register(RoutesConfig routes) {
        routes.get("/console/erasures", this::form);
        routes.post("/console/erasures", this::erase);
        routes.get("/console/erasures/{id}", this::follow);
    }

    private void form(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.ADMIN);
        Map<String, Object> params = new HashMap<>();
        params.put("page", Page.of(session, "Erase", "erasures"));
        params.put("form", ErasureForm.EMPTY);
        params.put("preview", null);
        params.put("erasures", postroom.erasures().list().stream().limit(10).toList());
        templates.page(ctx, "erasures.jte", params);
    }

    /** Without {@code confirm}: the form again with the preview. With it: the erasure starts and its page opens. */
    private void erase(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.ADMIN);
        ErasureForm form = new ErasureForm(Params.form(ctx, "orderingKey"), Params.form(ctx, "header"), Params.form(ctx, "headerValue"),
                Params.form(ctx, "pointer"), Params.form(ctx, "value"));
        ErasureFilter filter = form.filter();
        try {
            filter.validate();
        } catch (dev.postroom.InvalidMessageException e) {
            throw ConsoleException.invalid(e);
        }
        if (!"yes".equals(Params.form(ctx, "confirm"))) {
            Map<String, Object> params = new HashMap<>();
            params.put("page", Page.of(session, "Erase", "erasures"));
            params.put("form", form);
            params.put("preview", postroom.erasures().preview(filter));
            params.put("erasures", postroom.erasures().list().stream().limit(10).toList());
            templates.page(ctx, "erasures.jte", params);
            return;
        }
        Map<String, Object> what = form.describe();
        String address = ctx.ip();
        Erasure started = postroom.erasures().start(filter, ended -> {
            Map<String, Object> detail = new LinkedHashMap<>(what);
            detail.put("state", ended.state().name());
            detail.put("erased", ended.erased());
            audit.recordOutcome(address, session, "erasure.end", "erasure", ended.id(), detail);
        });
        Map<String, Object> detail = new LinkedHashMap<>(what);
        detail.put("matched", started.matched());
        audit.record(ctx, session, "erasure.start", "erasure", started.id(), detail);
        ctx.redirect("/console/erasures/" + Format.url(started.id()), HttpStatus.SEE_OTHER);
    }

    private void follow(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.ADMIN);
        String id = ctx.pathParam("id");
        Erasure erasure = postroom.erasures().get(id)
                .orElseThrow(() -> ConsoleException.notFound("no erasure " + id + " on this server (erasures are remembered until it restarts)"));
        templates.page(ctx, "erasure.jte", Map.of("page", Page.of(session, "Erasure " + id, "erasures"), "erasure", erasure));
    }
}
