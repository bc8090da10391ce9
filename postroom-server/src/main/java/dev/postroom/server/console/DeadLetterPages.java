package dev.postroom.server.console;

import dev.postroom.MessagePage;
import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.MessageSummary;
import dev.postroom.Postroom;
import dev.postroom.QueueInfo;
import dev.postroom.server.auth.Role;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dead letters ({@code /console/dead}): dead counts per queue and one queue's dead messages grouped
 * by their last error; a dry run that counts and lists what a filter would touch; bulk redrive and
 * delete by that filter as background jobs ({@code /console/jobs/{id}}) whose pages show progress.
 */
final class DeadLetterPages {
    /** Dead messages grouped per page view at most: a page stays quick even on a queue with millions. */
    static final int MAX_GROUPED = 10_000;
    /** Messages a preview lists; it counts them all. */
    static final int PREVIEW_LISTED = 20;

    private final Postroom postroom;
    private final Templates templates;
    private final Audit audit;
    private final BulkJobs jobs;

    DeadLetterPages(Postroom postroom, Templates templates, Audit audit, InstantSource clock) {
        this.postroom = postroom;
        this.templates = templates;
        this.audit = audit;
        this.jobs = new BulkJobs(postroom, clock);
    }

    void register(RoutesConfig routes) {
        routes.get("/console/dead", this::overview);
        routes.post("/console/dead/preview", this::preview);
        routes.post("/console/dead/redrive", ctx -> start(ctx, BulkJob.Kind.REDRIVE));
        routes.post("/console/dead/delete", ctx -> start(ctx, BulkJob.Kind.DELETE));
        routes.get("/console/jobs/{id}", this::job);
        routes.get("/console/jobs/{id}/progress", this::progress);
    }

    private void overview(Context ctx) {
        Session session = ConsoleGuard.session(ctx);
        List<QueueInfo> queues = postroom.queues();
        String queue = ctx.queryParam("queue");
        if (queue == null || queue.isBlank()) {
            queue = queues.stream().filter(q -> q.counts().dead() > 0)
                    .max(Comparator.comparingLong((QueueInfo q) -> q.counts().dead()))
                    .map(QueueInfo::name).orElse("");
        }
        Map<String, ErrorGroup> groups = new LinkedHashMap<>();
        int examined = 0;
        boolean capped = false;
        long dead = 0;
        if (!queue.isEmpty()) {
            dead = postroom.queue(queue).counts().dead();
            MessageQuery query = MessageQuery.builder().queue(queue).state(MessageState.DEAD).limit(DeadLetterFilter.PAGE).build();
            MessagePage page;
            do {
                page = postroom.browse(query);
                for (MessageSummary message : page.messages()) {
                    String key = ErrorGroup.keyOf(message.lastError());
                    groups.put(key, groups.getOrDefault(key, ErrorGroup.empty(key)).with(message));
                    examined++;
                }
                query = query.withAfter(page.next());
                capped = page.hasNext() && examined >= MAX_GROUPED;
            } while (page.hasNext() && !capped);
        }
        List<ErrorGroup> sorted = new ArrayList<>(groups.values());
        sorted.sort(Comparator.comparingLong(ErrorGroup::count).reversed().thenComparing(ErrorGroup::key));
        Map<String, Object> params = new HashMap<>();
        params.put("page", Page.of(session, "Dead letters", "dead"));
        params.put("queues", queues);
        params.put("queue", queue);
        params.put("dead", dead);
        params.put("groups", sorted);
        params.put("examined", examined);
        params.put("capped", capped);
        templates.page(ctx, "dead.jte", params);
    }

    /** The dry run: counts every match and lists the first few; changes nothing. */
    private void preview(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.OPERATOR);
        DeadLetterFilter filter = DeadLetterFilter.from(ctx);
        List<MessageSummary> listed = new ArrayList<>();
        long matched = 0;
        MessageQuery query = filter.query();
        MessagePage page;
        do {
            page = postroom.browse(query);
            for (MessageSummary message : page.messages()) {
                if (filter.matches(message)) {
                    matched++;
                    if (listed.size() < PREVIEW_LISTED) {
                        listed.add(message);
                    }
                }
            }
            query = query.withAfter(page.next());
        } while (page.hasNext());
        Map<String, Object> params = new HashMap<>();
        params.put("page", Page.of(session, "Dead letters: preview", "dead"));
        params.put("filter", filter);
        params.put("matched", matched);
        params.put("listed", listed);
        templates.page(ctx, "deadPreview.jte", params);
    }

    private void start(Context ctx, BulkJob.Kind kind) {
        Session session = ConsoleGuard.require(ctx, Role.OPERATOR);
        DeadLetterFilter filter = DeadLetterFilter.from(ctx);
        long expected = expected(ctx.formParam("expected"));
        postroom.queue(filter.queue()); // 404 for a queue that is gone, before a job starts
        String address = ctx.ip();
        String action = "dead." + kind.verb();
        BulkJob job = jobs.start(kind, filter, expected, session.actor(), finished -> {
            Map<String, Object> detail = filter.detail();
            detail.put("job", finished.id());
            detail.put("matched", finished.matched());
            detail.put("done", finished.done());
            detail.put("skipped", finished.skipped());
            detail.put("failed", finished.failed());
            if (finished.problem() != null) {
                detail.put("problem", finished.problem());
            }
            audit.recordOutcome(address, session, action, "queue", filter.queue(), detail);
        });
        Map<String, Object> detail = filter.detail();
        detail.put("job", job.id());
        detail.put("expected", expected);
        audit.record(ctx, session, action + ".start", "queue", filter.queue(), detail);
        ctx.redirect("/console/jobs/" + Format.url(job.id()), HttpStatus.SEE_OTHER);
    }

    private void job(Context ctx) {
        Session session = ConsoleGuard.session(ctx);
        BulkJob job = find(ctx);
        templates.page(ctx, "job.jte", Map.of("page", Page.of(session, "Bulk " + job.kind().verb(), "dead"), "job", job));
    }

    /** The changing part of a job's page, polled while the job runs. */
    private void progress(Context ctx) {
        ConsoleGuard.session(ctx);
        ctx.html(templates.render("jobProgress.jte", Map.of("job", find(ctx))));
    }

    private BulkJob find(Context ctx) {
        return jobs.find(ctx.pathParam("id")).orElseThrow(() -> ConsoleException.notFound(
                "No such job; finished jobs are kept until " + BulkJobs.KEEP_FINISHED + " newer ones finish, and none survive a restart."));
    }

    private static long expected(String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            long n = Long.parseLong(value.strip());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw ConsoleException.badRequest("expected: \"" + value + "\" is not a count of messages.");
        }
    }
}
