package dev.postroom.server.console;

import dev.postroom.server.audit.AuditLog;
import dev.postroom.server.audit.AuditPage;
import io.javalin.config.RoutesConfig;

import java.util.HashMap;
import java.util.Map;

/** {@code /console/audit}: who did what, from the console, the API and the CLI, newest first. Every role may read it. */
final class AuditPages {
    private final AuditLog log;
    private final Templates templates;

    AuditPages(AuditLog log, Templates templates) {
        this.log = log;
        this.templates = templates;
    }

    void register(RoutesConfig routes) {
        routes.get("/console/audit", ctx -> {
            Session session = ConsoleGuard.session(ctx);
            AuditFilter filter = AuditFilter.from(ctx);
            AuditPage page = log.browse(filter.query());
            Map<String, Object> params = new HashMap<>();
            params.put("page", Page.of(session, "Audit log", "audit"));
            params.put("filter", filter);
            params.put("entries", page.entries());
            params.put("next", page.next());
            templates.page(ctx, "audit.jte", params);
        });
    }
}
