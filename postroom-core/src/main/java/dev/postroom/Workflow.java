package dev.postroom;

import java.util.ArrayList;
import java.util.List;

/**
 * A workflow to start with {@link Workflows#start}: steps, each a message to a queue, and the steps
 * each one follows. Immutable; every method returns a new workflow.
 * <pre>{@code
 * Workflow closeAccount = Workflow.named("close-account")
 *         .idempotencyKey("close-account-7")
 *         .step("revoke", "sessions", new Revoke(7))
 *         .step("refund", "refunds", new RefundOpenOrders(7), Workflow.after("revoke"))
 *         .step("goodbye", "emails", new Goodbye(7), Workflow.after("refund"))
 *         .step("audit", "audit", new Closed(7), Workflow.after("goodbye").runOnFailure());
 * }</pre>
 *
 * @param name           a name to find it by (names follow the queue name rules), or null
 * @param idempotencyKey a second start with this key returns the first workflow, or null
 * @param steps          the steps, in order
 */
public record Workflow(String name, String idempotencyKey, List<Step> steps) {
    public Workflow {
        steps = List.copyOf(steps);
    }

    /** An empty workflow named {@code name}. */
    public static Workflow named(String name) {
        return new Workflow(name, null, List.of());
    }

    /** An empty workflow without a name. */
    public static Workflow unnamed() {
        return new Workflow(null, null, List.of());
    }

    /** Options of a step that follows {@code steps}. */
    public static StepOptions after(String... steps) {
        return StepOptions.NONE.after(steps);
    }

    /** This workflow, started at most once per {@code key}. */
    public Workflow idempotencyKey(String key) {
        return new Workflow(name, key, steps);
    }

    /** This workflow with a step that follows nothing. */
    public Workflow step(String name, String queue, Object payload) {
        return step(name, queue, payload, StepOptions.NONE);
    }

    /**
     * This workflow with one more step.
     *
     * @param payload any Jackson-serialisable object, or {@link RawJson}
     */
    public Workflow step(String name, String queue, Object payload, StepOptions options) {
        List<Step> more = new ArrayList<>(steps);
        more.add(new Step(name, queue, payload, options == null ? StepOptions.NONE : options));
        return new Workflow(this.name, idempotencyKey, more);
    }

    /** One step: its name (unique in the workflow), queue, payload and options. */
    public record Step(String name, String queue, Object payload, StepOptions options) {
    }
}
