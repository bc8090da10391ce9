package dev.postroom;

import java.util.List;
import java.util.Map;

/**
 * How a workflow step runs: the steps it follows, whether it runs even when one of them failed, and
 * its message's headers and priority. Start from {@link Workflow#after} or {@link #NONE}. Steps take
 * no ordering key: the workflow orders them, and a held step would hold up its key's later messages.
 *
 * @param after        the steps (by name) that must succeed before this one is released
 * @param runsOnFailure release it once every step it follows has ended or can no longer run, even
 *                     without success: for clean-up steps
 * @param headers      its message's headers; the {@code postroom-workflow-*} ones are set by Postroom
 * @param priority     0–9, higher is delivered first
 */
public record StepOptions(List<String> after, boolean runsOnFailure, Map<String, String> headers, int priority) {
    /** A step that follows nothing: it is READY as soon as the workflow is stored. */
    public static final StepOptions NONE = new StepOptions(List.of(), false, Map.of(), 0);

    public StepOptions {
        // Kept as given, nulls too: Workflows.start refuses a bad name with the step's field.
        after = after == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(after));
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /** These options, following {@code steps} as well. */
    public StepOptions after(String... steps) {
        List<String> all = new java.util.ArrayList<>(after);
        all.addAll(java.util.Arrays.asList(steps));
        return new StepOptions(all, runsOnFailure, headers, priority);
    }

    /** These options, run even when a step it follows failed (once they all ended). */
    public StepOptions runOnFailure() {
        return new StepOptions(after, true, headers, priority);
    }

    /** These options with the message's headers. */
    public StepOptions headers(Map<String, String> headers) {
        return new StepOptions(after, runsOnFailure, headers, priority);
    }

    /** These options with the message's priority (0–9). */
    public StepOptions priority(int priority) {
        return new StepOptions(after, runsOnFailure, headers, priority);
    }
}
