package dev.postroom.store;

import dev.postroom.WorkflowState;
import dev.postroom.WorkflowStep;
import dev.postroom.WorkflowStepState;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a workflow's steps, as they stand, make of it: its state and the waiting steps to release
 * now. Decided here once for every store, a pure function of the steps; a store reads the steps,
 * asks, and writes what it is told.
 *
 * <ul>
 *   <li>A waiting step is released once every step it follows SUCCEEDED; a {@code runOnFailure}
 *       step once each of them ended (succeeded, failed) or is stuck.</li>
 *   <li>A waiting step is stuck when a step it follows failed (DEAD, CANCELLED on its own,
 *       DELETED) or is stuck itself, unless it runs on failure.</li>
 *   <li>The workflow is SUCCEEDED when every step succeeded, FAILED while any step failed,
 *       otherwise RUNNING; a CANCELLED workflow stays so and releases nothing.</li>
 * </ul>
 *
 * @param state   the workflow's state
 * @param release the steps to release, in workflow order
 */
public record WorkflowProgress(WorkflowState state, List<WorkflowStep> release) {

    /** The progress of a workflow now in {@code current} with {@code steps}. */
    public static WorkflowProgress of(WorkflowState current, List<WorkflowStep> steps) {
        if (current == WorkflowState.CANCELLED) {
            return new WorkflowProgress(WorkflowState.CANCELLED, List.of());
        }
        Map<String, WorkflowStep> byName = new HashMap<>();
        steps.forEach(s -> byName.put(s.name(), s));
        Map<String, Boolean> stuck = new HashMap<>();
        List<WorkflowStep> release = new ArrayList<>();
        boolean allSucceeded = true;
        boolean anyFailed = false;
        for (WorkflowStep step : steps) {
            allSucceeded &= step.state() == WorkflowStepState.SUCCEEDED;
            anyFailed |= step.state().isFailure();
            if (step.state() == WorkflowStepState.WAITING && releasable(step, byName, stuck)) {
                release.add(step);
            }
        }
        WorkflowState state = allSucceeded ? WorkflowState.SUCCEEDED : anyFailed ? WorkflowState.FAILED : WorkflowState.RUNNING;
        return new WorkflowProgress(state, release);
    }

    /** The steps whose results {@code step} receives when released: those it follows that succeeded. */
    public static List<WorkflowStep> inputsOf(WorkflowStep step, List<WorkflowStep> steps) {
        return steps.stream().filter(s -> step.after().contains(s.name()) && s.state() == WorkflowStepState.SUCCEEDED).toList();
    }

    private static boolean releasable(WorkflowStep step, Map<String, WorkflowStep> byName, Map<String, Boolean> stuck) {
        for (String name : step.after()) {
            WorkflowStep before = byName.get(name);
            boolean ok = step.runOnFailure()
                    ? before.state() == WorkflowStepState.SUCCEEDED || before.state().isFailure() || isStuck(before, byName, stuck)
                    : before.state() == WorkflowStepState.SUCCEEDED;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Whether a waiting step can never be released as things stand. The graph has no cycle (checked at start). */
    private static boolean isStuck(WorkflowStep step, Map<String, WorkflowStep> byName, Map<String, Boolean> stuck) {
        if (step.state() != WorkflowStepState.WAITING || step.runOnFailure()) {
            return false;
        }
        Boolean known = stuck.get(step.name());
        if (known != null) {
            return known;
        }
        boolean result = false;
        for (String name : step.after()) {
            WorkflowStep before = byName.get(name);
            if (before.state().isFailure() || isStuck(before, byName, stuck)) {
                result = true;
                break;
            }
        }
        stuck.put(step.name(), result);
        return result;
    }
}
