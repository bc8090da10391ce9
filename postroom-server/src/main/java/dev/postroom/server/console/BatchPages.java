package dev.postroom.server.console;

import dev.postroom.BatchPage;
import dev.postroom.BatchStatus;
import dev.postroom.MessagePage;
import dev.postroom.Postroom;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.HashMap;
import java.util.Map;

/**
 * Batches in the console: the list of recent batches ({@code /console/batches}), and a batch's page
 * — its members by state with a progress bar, its members page by page linking to each message
 * (both live while the batch is open), and its completion message. Read-only: members are acted on from
 * their own pages, so every action keeps its role check, CSRF token and audit entry there.
 */
final class BatchPages {
    private static final int PAGE = 50;

    private final Postroom postroom;
    private final Templates templates;

    BatchPages(Postroom postroom, Templates templates) {
        this.postroom = postroom;
        this.templates = templates;
    }

    void register(RoutesConfig routes) {
        routes.get("/console/batches", this::list);
        routes.get("/console/batches/{id}", this::show);
        routes.get("/console/batches/{id}/live", this::live);
    }

    private void list(Context ctx) {
        Session session = ConsoleGuard.session(ctx);
        String before = blankToNull(ctx.queryParam("before"));
        BatchPage page = postroom.batches().list(before, PAGE);
        Map<String, Object> params = new HashMap<>();
        params.put("page", Page.of(session, "Batches", "batches"));
        params.put("batches", page.batches());
        params.put("next", page.next());
        params.put("first", before == null);
        templates.page(ctx, "batches.jte", params);
    }

    private void show(Context ctx) {
        Session session = ConsoleGuard.session(ctx);
        BatchStatus batch = postroom.batches().get(ctx.pathParam("id"));
        String after = blankToNull(ctx.queryParam("after"));
        MessagePage members = postroom.batches().members(batch.id(), after, PAGE);
        Map<String, Object> params = new HashMap<>();
        params.put("page", Page.of(session, "Batch " + batch.id(), "batches"));
        params.put("batch", batch);
        params.put("members", Masking.summaries(postroom, session, members.messages()));
        params.put("next", members.next());
        params.put("after", after);
        templates.page(ctx, "batch.jte", params);
    }

    /** The counts and the page of members shown, polled while the batch is not complete. */
    private void live(Context ctx) {
        Session session = ConsoleGuard.session(ctx);
        BatchStatus batch = postroom.batches().get(ctx.pathParam("id"));
        String after = blankToNull(ctx.queryParam("after"));
        MessagePage members = postroom.batches().members(batch.id(), after, PAGE);
        Map<String, Object> params = new HashMap<>();
        params.put("batch", batch);
        params.put("members", Masking.summaries(postroom, session, members.messages()));
        params.put("next", members.next());
        params.put("after", after);
        ctx.html(templates.render("batchLive.jte", params));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
