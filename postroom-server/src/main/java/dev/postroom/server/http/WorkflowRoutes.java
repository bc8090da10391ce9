package dev.postroom.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.Futures;
import dev.postroom.InvalidMessageException;
import dev.postroom.Postroom;
import dev.postroom.RawJson;
import dev.postroom.StartedWorkflow;
import dev.postroom.StepOptions;
import dev.postroom.Workflow;
import dev.postroom.WorkflowNotFoundException;
import dev.postroom.WorkflowPage;
import dev.postroom.WorkflowState;
import dev.postroom.WorkflowStatus;
import dev.postroom.WorkflowStep;
import dev.postroom.WorkflowStepState;
import dev.postroom.server.auth.ApiToken;
import dev.postroom.server.auth.Scope;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Workflows over HTTP. Starting one needs {@code send:} on every step's queue. A workflow is shown
 * to a token with {@code read}, or one that may see every step's queue (as a message is shown), and
 * is 404 to any other token, so that ids do not leak; the list needs {@code read}. Cancel and retry
 * need {@code operate} and are audited.
 */
final class WorkflowRoutes {
    private final Postroom postroom;
    private final ObjectMapper mapper;
    private final AuditTrail audit;

    WorkflowRoutes(Postroom postroom, ObjectMapper mapper, AuditTrail audit) {
        this.postroom = postroom;
        this.mapper = mapper;
        this.audit = audit;
    }

    void register(RoutesConfig routes) {
        routes.post("/api/v1/workflows", this::start);
        routes.get("/api/v1/workflows", this::list);
        routes.get("/api/v1/workflows/{id}", this::get);
        routes.post("/api/v1/workflows/{id}/cancel", this::cancel);
        routes.post("/api/v1/workflows/{id}/retry", this::retry);
    }

    private void start(Context ctx) throws IOException {
        Bodies.NewWorkflow body = Bodies.read(ctx, mapper, Bodies.NewWorkflow.class);
        if (body.steps() == null || body.steps().isEmpty()) {
            throw new InvalidMessageException("steps", "name at least one step");
        }
        Workflow workflow = new Workflow(body.name(), body.idempotencyKey(), List.of());
        for (int i = 0; i < body.steps().size(); i++) {
            Bodies.Step step = body.steps().get(i);
            String prefix = "steps[" + i + "].";
            if (step == null) {
                throw new InvalidMessageException("steps[" + i + "]", "must be an object");
            }
            if (step.queue() == null) {
                throw new InvalidMessageException(prefix + "queue", "is required");
            }
            try {
                Access.require(ctx, Scope.Kind.SEND, step.queue());
            } catch (InvalidMessageException e) {
                throw new InvalidMessageException(prefix + "queue", WireNames.problem(e), e);
            }
            StepOptions options = StepOptions.NONE;
            if (step.after() != null) {
                options = options.after(step.after().toArray(String[]::new));
            }
            if (Boolean.TRUE.equals(step.runOnFailure())) {
                options = options.runOnFailure();
            }
            if (step.headers() != null) {
                step.headers().forEach((name, value) -> {
                    if (value == null) {
                        throw new InvalidMessageException(prefix + "headers." + name, "must be a string, not null");
                    }
                });
                options = options.headers(step.headers());
            }
            if (step.priority() != null) {
                options = options.priority(step.priority());
            }
            workflow = workflow.step(step.name(), step.queue(), new RawJson(step.payload() == null ? "null" : step.payload().json()), options);
        }
        StartedWorkflow started = Futures.join(postroom.workflows().start(workflow));
        ApiToken token = Access.token(ctx);
        if (started.duplicate() && !token.grants(Scope.Kind.READ, null)
                && !started.workflow().steps().stream().allMatch(step -> Access.maySee(token, step.queue()))) {
            // The key is taken by a workflow this token may not see: say so without showing it.
            throw ApiException.conflict("idempotencyKey", "is already used by another workflow");
        }
        ctx.status(started.duplicate() ? 200 : 201).json(Started.of(started));
    }

    private void list(Context ctx) {
        Access.require(ctx, Scope.Kind.READ);
        WorkflowState state = null;
        String stateText = ctx.queryParam("state");
        if (stateText != null) {
            try {
                state = WorkflowState.valueOf(stateText.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidMessageException("state", "must be one of " + List.of(WorkflowState.values()));
            }
        }
        WorkflowPage page = postroom.workflows().list(state, ctx.queryParam("name"), ctx.queryParam("after"), Paging.limit(ctx));
        ctx.json(new WorkflowList(page.workflows().stream().map(View::of).toList(), page.next()));
    }

    private void get(Context ctx) {
        ctx.json(View.of(visible(ctx)));
    }

    private void cancel(Context ctx) {
        Access.require(ctx, Scope.Kind.OPERATE);
        WorkflowStatus cancelled = postroom.workflows().cancel(ctx.pathParam("id"));
        audit.record(ctx, "workflow.cancel", "workflow", cancelled.id(), Map.of("state", cancelled.state().name()));
        ctx.json(View.of(cancelled));
    }

    private void retry(Context ctx) {
        Access.require(ctx, Scope.Kind.OPERATE);
        WorkflowStatus before = postroom.workflows().get(ctx.pathParam("id"));
        List<String> dead = before.steps().stream().filter(s -> s.state() == WorkflowStepState.DEAD).map(WorkflowStep::name).toList();
        WorkflowStatus retried = postroom.workflows().retry(before.id());
        audit.record(ctx, "workflow.retry", "workflow", retried.id(), Map.of("steps", dead));
        ctx.json(View.of(retried));
    }

    /** The workflow, when the token may see it; else 404 like an unknown id. */
    private WorkflowStatus visible(Context ctx) {
        ApiToken token = Access.token(ctx);
        String id = ctx.pathParam("id");
        WorkflowStatus workflow = postroom.workflows().get(id);
        if (!token.grants(Scope.Kind.READ, null) && !workflow.steps().stream().allMatch(s -> Access.maySee(token, s.queue()))) {
            throw new WorkflowNotFoundException(id);
        }
        return workflow;
    }

    /** The answer to a start: the workflow's id and state, each step's message, and whether an earlier start stored it. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Started(String id, WorkflowState state, List<StepView> steps, boolean duplicate) {
        static Started of(StartedWorkflow started) {
            WorkflowStatus w = started.workflow();
            return new Started(w.id(), w.state(), w.steps().stream().map(StepView::of).toList(), started.duplicate());
        }
    }

    /** One step: WAITING while the steps it follows have not all succeeded, else its message's state (or DELETED). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record StepView(String name, String queue, String messageId, WorkflowStepState state, List<String> after, boolean runOnFailure) {
        static StepView of(WorkflowStep s) {
            return new StepView(s.name(), s.queue(), s.messageId(), s.state(), s.after(), s.runOnFailure());
        }
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record View(String id, String name, WorkflowState state, Instant createdAt, Instant updatedAt, Instant endedAt, List<StepView> steps) {
        static View of(WorkflowStatus w) {
            return new View(w.id(), w.name(), w.state(), w.createdAt(), w.updatedAt(), w.endedAt(),
                    w.steps().stream().map(StepView::of).toList());
        }
    }

    /** A page of workflows, newest first; {@code next} is the {@code after} of the next page, or null. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record WorkflowList(List<View> workflows, String next) {
    }
}
