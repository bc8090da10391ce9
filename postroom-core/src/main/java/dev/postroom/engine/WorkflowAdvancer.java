package dev.postroom.engine;

import dev.postroom.Futures;
import dev.postroom.MessageState;
import dev.postroom.WorkflowFailedException;
import dev.postroom.WorkflowState;
import dev.postroom.WorkflowStatus;
import dev.postroom.WorkflowStep;
import dev.postroom.store.WorkflowAdvance;
import dev.postroom.store.WorkflowPass;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The maintenance step that moves workflows on: the store releases the steps whose predecessors
 * finished and records each workflow's state (see {@link dev.postroom.store.WorkflowStore#advance});
 * this class wakes the released steps' consumers and completes the outcome futures waiting here,
 * whichever node's pass changed the workflow.
 */
public final class WorkflowAdvancer {
    private static final Logger log = LoggerFactory.getLogger(WorkflowAdvancer.class);
    /** Workflows per pass: one short transaction; a backlog drains over a few passes (250 ms apart by default). */
    private static final int PER_PASS = 100;
    /**
     * A workflow whose step message changed this recently is looked at by every pass: generous
     * against clocks a little apart on several nodes. The others are swept a page per pass.
     */
    private static final Duration CHANGED_WITHIN = Duration.ofSeconds(10);
    /** A settled workflow is kept this long at least, and for as long as any step message is stored. */
    public static final Duration KEPT_AFTER_END = Duration.ofDays(1);

    private final EngineContext engine;
    private final Map<String, CompletableFuture<WorkflowStatus>> waiting = new ConcurrentHashMap<>();

    public WorkflowAdvancer(EngineContext engine) {
        this.engine = engine;
    }

    /** Advances the workflows that can move; returns how many moved. */
    public int run(Instant now) {
        List<WorkflowAdvance> advanced = Futures.join(engine.store().workflows().advance(new WorkflowPass(now, engine.node(), PER_PASS, now.minus(CHANGED_WITHIN))));
        for (WorkflowAdvance advance : advanced) {
            for (WorkflowStep step : advance.released()) {
                engine.signals().changed(step.queue());
                engine.listener().changed(step.queue(), step.messageId(), MessageState.READY);
            }
            if (advance.changed()) {
                log.info("workflow state changed workflowId={} state={}", advance.workflowId(), advance.state());
            }
        }
        settleWaiting();
        return advanced.size();
    }

    /** Forgets settled workflows with no step message left; returns how many. */
    public int forget(Instant now) {
        return Futures.join(engine.store().workflows().forget(now.minus(KEPT_AFTER_END)));
    }

    /**
     * A future that completes with the workflow once it is SUCCEEDED, or exceptionally with
     * {@link WorkflowFailedException} once it is FAILED or CANCELLED.
     */
    public CompletableFuture<WorkflowStatus> outcome(WorkflowStatus now) {
        if (now.state().isSettled()) {
            return settled(now, new CompletableFuture<>());
        }
        CompletableFuture<WorkflowStatus> future = waiting.computeIfAbsent(now.id(), id -> new CompletableFuture<>());
        // Dropped from the map once done, however it ends (a caller may cancel its copy).
        future.whenComplete((status, error) -> waiting.remove(now.id(), future));
        return future.copy();
    }

    /** Reads every awaited workflow and completes those that settled, on any node. */
    private void settleWaiting() {
        for (Map.Entry<String, CompletableFuture<WorkflowStatus>> entry : waiting.entrySet()) {
            try {
                Optional<WorkflowStatus> status = engine.store().workflows().get(entry.getKey());
                if (status.isEmpty()) {
                    entry.getValue().completeExceptionally(new dev.postroom.WorkflowNotFoundException(entry.getKey()));
                } else if (status.get().state().isSettled()) {
                    settled(status.get(), entry.getValue());
                }
            } catch (RuntimeException e) {
                log.debug("reading an awaited workflow failed; next pass retries workflowId={} error={}", entry.getKey(), e.toString());
            }
        }
    }

    private static CompletableFuture<WorkflowStatus> settled(WorkflowStatus status, CompletableFuture<WorkflowStatus> future) {
        if (status.state() == WorkflowState.SUCCEEDED) {
            future.complete(status);
        } else {
            future.completeExceptionally(new WorkflowFailedException(status));
        }
        return future;
    }
}
