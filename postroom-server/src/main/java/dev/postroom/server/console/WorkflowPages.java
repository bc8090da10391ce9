package dev.postroom.server.console;

import dev.postroom.InvalidMessageException;
import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.TimelineEntry;
import dev.postroom.WorkflowPage;
import dev.postroom.WorkflowState;
import dev.postroom.WorkflowStatus;
import dev.postroom.WorkflowStep;
import dev.postroom.WorkflowStepState;
import dev.postroom.server.auth.Role;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Workflows in the console: the list ({@code /console/workflows}, filtered by state and name), and a
 * workflow's page — its steps drawn with their edges and live states, a row per step with its
 * attempts, duration and result or error, each linking to its message — polled while it runs.
 * Operators cancel a workflow or retry its dead steps from it (CSRF-checked, audited).
 */
final class WorkflowPages {
    private static final int PAGE = 50;
    /** Results and errors are shortened in the step rows; the message page shows them whole. */
    private static final int PREVIEW_CHARS = 120;

    private final Postroom postroom;
    private final Templates templates;
    private final Audit audit;
    private final InstantSource clock;

    WorkflowPages(Postroom postroom, Templates templates, Audit audit, InstantSource clock) {
        this.postroom = postroom;
        this.templates = templates;
        this.audit = audit;
        this.clock = clock;
    }

    void register(RoutesConfig routes) {
        routes.get("/console/workflows", this::list);
        routes.get("/console/workflows/{id}", this::show);
        routes.get("/console/workflows/{id}/live", this::live);
        routes.post("/console/workflows/{id}/cancel", this::cancel);
        routes.post("/console/workflows/{id}/retry", this::retry);
    }

    private void list(Context ctx) {
        Session session = ConsoleGuard.session(ctx);
        String after = blankToNull(ctx.queryParam("after"));
        String name = blankToNull(ctx.queryParam("name"));
        WorkflowState state = state(blankToNull(ctx.queryParam("state")));
        WorkflowPage page;
        try {
            page = postroom.workflows().list(state, name, after, PAGE);
        } catch (InvalidMessageException e) {
            throw new ConsoleException(400, e.field() + ": " + e.getMessage());
        }
        Map<String, Object> params = new HashMap<>();
        params.put("page", Page.of(session, "Workflows", "workflows"));
        params.put("workflows", page.workflows());
        params.put("next", page.next());
        params.put("first", after == null);
        params.put("state", state == null ? "" : state.name());
        params.put("name", name == null ? "" : name);
        params.put("query", (state == null ? "" : "&state=" + state.name()) + (name == null ? "" : "&name=" + Format.url(name)));
        templates.page(ctx, "workflows.jte", params);
    }

    private static WorkflowState state(String text) {
        if (text == null) {
            return null;
        }
        try {
            return WorkflowState.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConsoleException(400, "state must be one of " + List.of(WorkflowState.values()));
        }
    }

    private void show(Context ctx) {
        Session session = ConsoleGuard.session(ctx);
        WorkflowStatus workflow = postroom.workflows().get(ctx.pathParam("id"));
        Map<String, Object> params = liveParams(workflow);
        params.put("page", Page.of(session, "Workflow " + (workflow.name() == null ? workflow.id() : workflow.name()), "workflows"));
        templates.page(ctx, "workflow.jte", params);
    }

    /** The drawing and the step rows, polled while the workflow runs. */
    private void live(Context ctx) {
        ConsoleGuard.session(ctx);
        ctx.html(templates.render("workflowLive.jte", liveParams(postroom.workflows().get(ctx.pathParam("id")))));
    }

    private Map<String, Object> liveParams(WorkflowStatus workflow) {
        List<WorkflowGraph.StepRow> rows = workflow.steps().stream().map(this::row).toList();
        Map<String, Object> params = new HashMap<>();
        params.put("workflow", workflow);
        params.put("graph", WorkflowGraph.of(rows));
        params.put("dead", workflow.steps().stream().filter(s -> s.state() == WorkflowStepState.DEAD).count());
        return params;
    }

    private WorkflowGraph.StepRow row(WorkflowStep step) {
        Optional<Message> found = postroom.get(step.messageId());
        if (found.isEmpty()) {
            return new WorkflowGraph.StepRow(step, null, null, "—", null, null);
        }
        Message message = found.get();
        String error = message.errors().isEmpty() || step.state() == WorkflowStepState.SUCCEEDED ? null
                : shorten(message.errors().getLast().message());
        String result = step.state() == WorkflowStepState.SUCCEEDED && message.resultJson() != null ? shorten(message.resultJson()) : null;
        return new WorkflowGraph.StepRow(step, message.attempt(), message.maxAttempts(), duration(message), result, error);
    }

    /** From the first lease to the end (or until now while it runs); a dash before it ever ran. */
    private String duration(Message message) {
        Instant started = message.timeline().stream().filter(e -> e.state() == MessageState.IN_FLIGHT).map(TimelineEntry::at)
                .findFirst().orElse(null);
        if (started == null) {
            return "—";
        }
        Instant ended = message.state().isFinal() ? message.timeline().getLast().at() : clock.instant();
        Duration ran = Duration.between(started, ended);
        return ran.isZero() ? "0ms" : Format.age(ran);
    }

    private static String shorten(String text) {
        return text.length() <= PREVIEW_CHARS ? text : text.substring(0, PREVIEW_CHARS) + "…";
    }

    private void cancel(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.OPERATOR);
        WorkflowStatus cancelled = postroom.workflows().cancel(ctx.pathParam("id"));
        audit.record(ctx, session, "workflow.cancel", "workflow", cancelled.id(), Map.of("state", cancelled.state().name()));
        session.flash(cancelled.state() == WorkflowState.CANCELLED ? "Cancelled the workflow: its unfinished steps were cancelled."
                : "The workflow had already succeeded; nothing was cancelled.");
        ctx.redirect("/console/workflows/" + cancelled.id(), HttpStatus.SEE_OTHER);
    }

    private void retry(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.OPERATOR);
        WorkflowStatus before = postroom.workflows().get(ctx.pathParam("id"));
        List<String> dead = before.steps().stream().filter(s -> s.state() == WorkflowStepState.DEAD).map(WorkflowStep::name).toList();
        postroom.workflows().retry(before.id());
        audit.record(ctx, session, "workflow.retry", "workflow", before.id(), Map.of("steps", dead));
        session.flash(dead.isEmpty() ? "No step was dead; nothing was retried."
                : "Retried " + String.join(", ", dead) + "; the workflow runs on from there.");
        ctx.redirect("/console/workflows/" + before.id(), HttpStatus.SEE_OTHER);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
