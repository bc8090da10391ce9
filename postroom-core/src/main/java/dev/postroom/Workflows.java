package dev.postroom;

import dev.postroom.engine.EngineContext;
import dev.postroom.engine.QueueNames;
import dev.postroom.engine.WorkflowAdvancer;
import dev.postroom.store.MessageAction;
import dev.postroom.store.MessageIds;
import dev.postroom.store.NewMessage;
import dev.postroom.store.NewStep;
import dev.postroom.store.NewWorkflow;
import dev.postroom.store.WorkflowQuery;
import dev.postroom.store.WorkflowStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Workflows: steps, each a message to a queue, where a step is released only once every step it
 * follows has succeeded, and receives their results. Get it from {@link Postroom#workflows()}.
 * <pre>{@code
 * StartedWorkflow started = postroom.workflows().start(Workflow.named("close-account")
 *         .step("revoke", "sessions", new Revoke(7))
 *         .step("refund", "refunds", new RefundOpenOrders(7), Workflow.after("revoke"))
 *         .step("goodbye", "emails", new Goodbye(7), Workflow.after("refund"))).join();
 * started.outcome().join(); // every step succeeded
 * }</pre>
 *
 * <p>Every step's message is stored with the workflow, all or nothing, in one transaction. A step
 * that follows others waits (its message SCHEDULED, held, {@link WorkflowStepState#WAITING}); the
 * engine's maintenance (every 250 ms by default) releases it once they all succeeded, exactly once
 * also with several nodes on one PostgreSQL database, and after a crash. Its handler reads their
 * results with {@link #context}. When a step dies its followers stay waiting and the workflow is
 * {@link WorkflowState#FAILED}; {@link #retry} (or retrying the dead message) lets it run on. A step
 * with {@link StepOptions#runOnFailure()} is released once the steps it follows ended either way.
 * Step messages carry the headers {@value #ID_HEADER} and {@value #STEP_HEADER}.
 */
public final class Workflows {
    /** Header of every step message: the workflow's id. */
    public static final String ID_HEADER = "postroom-workflow-id";
    /** Header of every step message: the step's name. */
    public static final String STEP_HEADER = "postroom-workflow-step";
    /** What the workflow headers start with; senders may not set such headers themselves. */
    public static final String HEADER_PREFIX = "postroom-workflow-";

    private final EngineContext engine;
    private final WorkflowStore store;
    private final WorkflowAdvancer advancer;

    Workflows(EngineContext engine, WorkflowAdvancer advancer) {
        this.engine = engine;
        this.store = engine.store().workflows();
        this.advancer = advancer;
    }

    /**
     * Starts a workflow: stores it and every step's message, or (on any invalid step) nothing. The
     * future completes once they are durable. Field names in errors are {@code name},
     * {@code idempotencyKey}, {@code steps} and {@code steps[i].<field>}.
     *
     * @throws InvalidMessageException  for no steps, a bad or repeated step name, an unknown or
     *                                  cyclic {@code after}, a bad option or payload, or a
     *                                  {@code postroom-workflow-*} header
     * @throws MessageTooLargeException for a payload over the limit, or more steps than {@link Limits#maxBatchSize()}
     * @throws QueueNotFoundException   when a step's queue does not exist
     */
    public CompletableFuture<StartedWorkflow> start(Workflow workflow) {
        engine.requireOpen();
        if (workflow == null || workflow.steps().isEmpty()) {
            throw new InvalidMessageException("steps", "must not be empty");
        }
        if (workflow.name() != null) {
            QueueNames.require("name", workflow.name());
        }
        String key = workflow.idempotencyKey();
        if (key != null && (key.isEmpty() || key.length() > engine.limits().maxKeyChars())) {
            throw new InvalidMessageException("idempotencyKey", "must be 1–" + engine.limits().maxKeyChars()
                    + " characters, was " + key.length());
        }
        List<Workflow.Step> steps = workflow.steps();
        if (steps.size() > engine.limits().maxBatchSize()) {
            throw new MessageTooLargeException("steps", steps.size(), engine.limits().maxBatchSize(), "steps");
        }
        Map<String, Integer> positions = positions(steps);
        checkAcyclic(steps, positions);
        Instant now = engine.clock().instant();
        String id = engine.ids().next();
        List<NewStep> stored = new ArrayList<>(steps.size());
        for (int i = 0; i < steps.size(); i++) {
            stored.add(newStep(id, steps.get(i), "steps[" + i + "].", now));
        }
        return store.create(new NewWorkflow(id, workflow.name(), key, stored, now, engine.node())).thenApply(created -> {
            if (!created.duplicate()) {
                for (WorkflowStep step : created.workflow().steps()) {
                    engine.listener().sent(step.queue(), step.messageId(), step.state() == WorkflowStepState.READY
                            ? MessageState.READY : MessageState.SCHEDULED, false);
                    if (step.state() == WorkflowStepState.READY) {
                        engine.signals().changed(step.queue());
                    }
                }
            }
            return new StartedWorkflow(created.workflow(), created.duplicate(), this);
        });
    }

    /** Step names: valid, each once, and each {@code after} naming another step. */
    private static Map<String, Integer> positions(List<Workflow.Step> steps) {
        Map<String, Integer> positions = new HashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            String name = QueueNames.require("steps[" + i + "].name", steps.get(i).name());
            if (positions.putIfAbsent(name, i) != null) {
                throw new InvalidMessageException("steps[" + i + "].name", "repeats step " + name + "; step names must be unique");
            }
        }
        for (int i = 0; i < steps.size(); i++) {
            Workflow.Step step = steps.get(i);
            Set<String> seen = new HashSet<>();
            for (String before : step.options().after()) {
                String field = "steps[" + i + "].after";
                if (before == null || !positions.containsKey(before)) {
                    throw new InvalidMessageException(field, "names no step of this workflow: " + before);
                }
                if (before.equals(step.name())) {
                    throw new InvalidMessageException(field, "a step cannot follow itself");
                }
                if (!seen.add(before)) {
                    throw new InvalidMessageException(field, "names " + before + " twice");
                }
            }
        }
        return positions;
    }

    /** Refuses a cycle, naming it: such steps would wait for each other for ever. */
    private static void checkAcyclic(List<Workflow.Step> steps, Map<String, Integer> positions) {
        int[] mark = new int[steps.size()]; // 0 unseen, 1 on the current path, 2 done
        for (int i = 0; i < steps.size(); i++) {
            List<String> path = new ArrayList<>();
            if (cycleFrom(i, steps, positions, mark, path)) {
                throw new InvalidMessageException("steps[" + positions.get(path.getLast()) + "].after",
                        "forms a cycle: " + String.join(" → ", path));
            }
        }
    }

    private static boolean cycleFrom(int i, List<Workflow.Step> steps, Map<String, Integer> positions, int[] mark, List<String> path) {
        if (mark[i] == 2) {
            return false;
        }
        path.add(steps.get(i).name());
        if (mark[i] == 1) {
            path.subList(0, path.indexOf(steps.get(i).name())).clear();
            return true;
        }
        mark[i] = 1;
        for (String before : steps.get(i).options().after()) {
            if (cycleFrom(positions.get(before), steps, positions, mark, path)) {
                return true;
            }
        }
        mark[i] = 2;
        path.removeLast();
        return false;
    }

    private NewStep newStep(String workflowId, Workflow.Step step, String prefix, Instant now) {
        String queue = QueueNames.require(prefix + "queue", step.queue());
        StepOptions options = step.options();
        for (String header : options.headers().keySet()) {
            if (header.startsWith(HEADER_PREFIX)) {
                throw new InvalidMessageException(prefix + "headers." + header, "the " + HEADER_PREFIX + "* headers are set by Postroom");
            }
        }
        if (options.headers().size() > engine.limits().maxHeaders() - 2) {
            throw new InvalidMessageException(prefix + "headers", "at most " + (engine.limits().maxHeaders() - 2)
                    + " entries (a workflow adds 2), was " + options.headers().size());
        }
        Map<String, String> headers = new LinkedHashMap<>(options.headers());
        headers.put(ID_HEADER, workflowId);
        headers.put(STEP_HEADER, step.name());
        SendOptions send = SendOptions.builder().headers(headers).priority(options.priority()).build();
        NewMessage message = engine.factory().create(queue, engine.catalog().require(queue).policy(), step.payload(), send, now, prefix);
        if (!options.after().isEmpty()) {
            message = message.availableAt(WorkflowStore.HELD);
        }
        return new NewStep(step.name(), options.after(), options.runsOnFailure(), message);
    }

    /**
     * The workflow with its steps as they stand.
     *
     * @throws WorkflowNotFoundException when there is no such workflow
     */
    public WorkflowStatus get(String id) {
        engine.requireOpen();
        if (!MessageIds.isValid(id)) {
            throw new WorkflowNotFoundException(String.valueOf(id));
        }
        return store.get(id).orElseThrow(() -> new WorkflowNotFoundException(id));
    }

    /**
     * Up to {@code limit} (1–500) workflows, newest first, in {@code state} and named {@code name}
     * when those are not null: from the newest when {@code after} is null, else those started
     * before the workflow it names ({@link WorkflowPage#next()}).
     *
     * @throws InvalidMessageException for a limit out of range, a bad name or a malformed {@code after}
     */
    public WorkflowPage list(WorkflowState state, String name, String after, int limit) {
        engine.requireOpen();
        if (limit < 1 || limit > MessageQuery.MAX_LIMIT) {
            throw new InvalidMessageException("limit", "must be 1–" + MessageQuery.MAX_LIMIT + ", was " + limit);
        }
        if (after != null && !MessageIds.isValid(after)) {
            throw new InvalidMessageException("after", "must be an id from an earlier page");
        }
        if (name != null) {
            QueueNames.require("name", name);
        }
        List<WorkflowStatus> found = store.list(new WorkflowQuery(state, name, after, limit + 1));
        List<WorkflowStatus> page = found.size() > limit ? found.subList(0, limit) : found;
        return new WorkflowPage(page, found.size() > limit ? page.getLast().id() : null);
    }

    /**
     * Cancels the workflow: every step not finished yet is cancelled (a running one's lease becomes
     * stale) and nothing more is released. A SUCCEEDED or CANCELLED workflow is returned unchanged.
     *
     * @throws WorkflowNotFoundException when there is no such workflow
     */
    public WorkflowStatus cancel(String id) {
        get(id);
        WorkflowStatus cancelled = Futures.join(store.cancel(id, engine.clock().instant(), engine.node()))
                .orElseThrow(() -> new WorkflowNotFoundException(id));
        for (WorkflowStep step : cancelled.steps()) {
            if (step.state() == WorkflowStepState.CANCELLED) {
                engine.listener().changed(step.queue(), step.messageId(), MessageState.CANCELLED);
                engine.signals().changed(step.queue());
            }
        }
        return cancelled;
    }

    /**
     * Retries every DEAD step of the workflow (READY with fresh attempts), so that a FAILED workflow
     * runs on; the next maintenance pass makes it RUNNING again. Returns the workflow after.
     *
     * @throws WorkflowNotFoundException when there is no such workflow
     */
    public WorkflowStatus retry(String id) {
        WorkflowStatus workflow = get(id);
        Instant now = engine.clock().instant();
        for (WorkflowStep step : workflow.steps()) {
            if (step.state() == WorkflowStepState.DEAD) {
                try {
                    Futures.join(engine.store().retry(new MessageAction(step.messageId(), now, engine.node(), "retried with workflow")));
                    engine.signals().changed(step.queue());
                } catch (IllegalTransitionException | MessageNotFoundException e) {
                    // Moved or deleted since the read: nothing to retry there.
                }
            }
        }
        return get(id);
    }

    /**
     * A future that completes with the workflow once every step succeeded, or exceptionally with
     * {@link WorkflowFailedException} once it is FAILED or CANCELLED (as seen by a maintenance pass
     * of this node, whichever node moved it).
     *
     * @throws WorkflowNotFoundException when there is no such workflow
     */
    public CompletableFuture<WorkflowStatus> outcome(String id) {
        return advancer.outcome(get(id));
    }

    /** The workflow a message is a step of, with the results it received, or empty for a message outside any workflow. */
    public Optional<WorkflowContext> context(String messageId) {
        engine.requireOpen();
        if (!MessageIds.isValid(messageId)) {
            return Optional.empty();
        }
        return engine.sealing().inputs(store, messageId).map(in -> new WorkflowContext(in.workflowId(), in.step(), in.resultsJson(), engine.codec().codec()));
    }
}
