package dev.postroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.postroom.Postroom;
import dev.postroom.WorkflowContext;
import dev.postroom.Workflows;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code workflow} field of a message's views: looked up only for a message whose headers say
 * it is a workflow step, so that other messages cost nothing.
 */
final class WorkflowRefs {
    private final Postroom postroom;
    private final ObjectMapper mapper;

    WorkflowRefs(Postroom postroom, ObjectMapper mapper) {
        this.postroom = postroom;
        this.mapper = mapper;
    }

    /** The step's workflow and received results, or null for a message outside any workflow. */
    Views.StepOf of(String messageId, Map<String, String> headers) {
        if (!headers.containsKey(Workflows.ID_HEADER)) {
            return null;
        }
        return postroom.workflows().context(messageId).map(this::view).orElse(null);
    }

    private Views.StepOf view(WorkflowContext context) {
        Map<String, JsonNode> results = new LinkedHashMap<>();
        context.resultsJson().forEach((step, json) -> {
            try {
                results.put(step, json == null ? NullNode.getInstance() : mapper.readTree(json));
            } catch (java.io.IOException e) {
                throw new IllegalStateException("stored result of step " + step + " is not JSON", e);
            }
        });
        return new Views.StepOf(context.workflowId(), context.step(), results);
    }
}
