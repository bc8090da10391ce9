package dev.postroom;

import java.util.Map;
import java.util.Set;

/**
 * What a workflow step's handler knows of its workflow: the workflow's id, the step's name and the
 * results of the steps it followed (recorded when it was released). A handler gets it from
 * {@link Delivery#workflow()}; anyone else with {@link Workflows#context}.
 */
public final class WorkflowContext {
    private final String workflowId;
    private final String step;
    private final Map<String, String> resultsJson;
    private final PayloadCodec codec;

    /** For the engine; handlers get theirs from {@link Delivery#workflow()} or {@link Workflows#context}. */
    public WorkflowContext(String workflowId, String step, Map<String, String> resultsJson, PayloadCodec codec) {
        this.workflowId = workflowId;
        this.step = step;
        this.resultsJson = resultsJson;
        this.codec = codec;
    }

    /** The workflow's id. */
    public String workflowId() {
        return workflowId;
    }

    /** This step's name. */
    public String step() {
        return step;
    }

    /** The steps whose results this one received: those it followed that succeeded. */
    public Set<String> resultSteps() {
        return resultsJson.keySet();
    }

    /** Each received result as JSON text ({@code null} for a step that returned none), by step. */
    public Map<String, String> resultsJson() {
        return resultsJson;
    }

    /**
     * The result of {@code step}, decoded as {@code type}.
     *
     * @throws IllegalArgumentException when this step did not receive that step's result, or it does not decode as {@code type}
     */
    public <T> T result(String step, Class<T> type) {
        if (!resultsJson.containsKey(step)) {
            throw new IllegalArgumentException("step " + this.step + " received no result of " + step + "; it has " + resultSteps());
        }
        String json = resultsJson.get(step);
        if (json == null) {
            return null;
        }
        try {
            return type.cast(codec.decode(json, type));
        } catch (Exception e) {
            throw new IllegalArgumentException("the result of " + step + " is not a " + type.getSimpleName() + ": "
                    + dev.postroom.engine.JsonCodec.describe(e), e);
        }
    }

    @Override
    public String toString() {
        return "WorkflowContext[" + workflowId + " " + step + " results=" + resultSteps() + "]";
    }
}
