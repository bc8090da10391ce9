package dev.postroom.store;

import java.util.Map;

/**
 * The workflow a step message belongs to, and the results of the steps it followed, as recorded
 * when it was released.
 *
 * @param workflowId  the workflow
 * @param step        the step's name
 * @param resultsJson each followed step's result as JSON text ({@code null} for none), by step name;
 *                    empty for a step that follows nothing or is not released yet
 */
public record StepInputs(String workflowId, String step, Map<String, String> resultsJson) {
    public StepInputs {
        resultsJson = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(resultsJson));
    }
}
