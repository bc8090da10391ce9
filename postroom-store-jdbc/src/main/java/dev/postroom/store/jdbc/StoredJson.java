package dev.postroom.store.jdbc;

import dev.postroom.store.StoreUnavailableException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.postroom.AttemptError;
import dev.postroom.MessageState;
import dev.postroom.QueuePolicy;
import dev.postroom.TimelineEntry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * For store implementations: the JSON shapes every store keeps in its columns — headers, queue
 * policy, timeline and errors (entries with {@code at} in epoch milliseconds, states by name) —
 * read and written in one place, so that stores agree on them. A column that cannot be read is a
 * {@link StoreUnavailableException}: the data is damaged, not the request.
 */
public class StoredJson {
    private static final TypeReference<Map<String, String>> HEADERS = new TypeReference<>() {
    };
    /**
     * A mapper of its own, not the application's: what is stored must read back the same whatever
     * mapper an application gives Postroom for its payloads.
     */
    private final ObjectMapper mapper = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Headers as a JSON object. */
    public String writeHeaders(Map<String, String> headers) {
        return write(headers);
    }

    /** Headers from a JSON object; none for null. */
    public Map<String, String> readHeaders(String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return mapper.readValue(json, HEADERS);
        } catch (JsonProcessingException e) {
            throw corrupt("headers", e);
        }
    }

    /** Names (a workflow step's predecessors) as a JSON array. */
    public String writeNames(List<String> names) {
        return write(names);
    }

    /** Names from a JSON array. */
    public List<String> readNames(String json) {
        try {
            return List.of(mapper.readValue(json, String[].class));
        } catch (JsonProcessingException e) {
            throw corrupt("names", e);
        }
    }

    /**
     * Results by step as one JSON object: each value is JSON text put in as it is (parsed, not
     * quoted), null for none.
     */
    public String writeResults(Map<String, String> resultsJson) {
        com.fasterxml.jackson.databind.node.ObjectNode object = mapper.createObjectNode();
        try {
            for (Map.Entry<String, String> entry : resultsJson.entrySet()) {
                object.set(entry.getKey(), entry.getValue() == null ? object.nullNode() : mapper.readTree(entry.getValue()));
            }
        } catch (JsonProcessingException e) {
            throw corrupt("result", e);
        }
        return write(object);
    }

    /** Results by step from {@link #writeResults}'s object, each as JSON text (null for a JSON null); none for null. */
    public Map<String, String> readResults(String json) {
        Map<String, String> results = new java.util.LinkedHashMap<>();
        if (json == null) {
            return results;
        }
        try {
            mapper.readTree(json).properties().forEach(e -> results.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().toString()));
        } catch (JsonProcessingException e) {
            throw corrupt("inputs", e);
        }
        return results;
    }

    /** A queue's policy as JSON. */
    public String writePolicy(QueuePolicy policy) {
        return write(policy);
    }

    /** A queue's policy from JSON. */
    public QueuePolicy readPolicy(String json) {
        try {
            return mapper.readValue(json, QueuePolicy.class);
        } catch (JsonProcessingException e) {
            throw corrupt("policy", e);
        }
    }

    /**
     * A timeline from its JSON array, oldest first. An entry is an object ({@code at}, {@code state},
     * {@code node}, {@code attempt}, {@code reason}), as stores written before hold it, or the compact
     * array {@code [at, state, node, attempt, reason]} both stores write now; one timeline may hold both.
     */
    public List<TimelineEntry> readTimeline(String json) {
        List<TimelineEntry> entries = new ArrayList<>();
        for (JsonNode node : tree(json, "timeline")) {
            if (node.isArray()) {
                entries.add(new TimelineEntry(Instant.ofEpochMilli(node.path(0).asLong()),
                        MessageState.valueOf(node.path(1).asText()), node.path(2).asText(null),
                        node.path(3).asInt(), node.path(4).asText(null)));
            } else {
                entries.add(new TimelineEntry(Instant.ofEpochMilli(node.path("at").asLong()),
                        MessageState.valueOf(node.path("state").asText()), node.path("node").asText(null),
                        node.path("attempt").asInt(), node.path("reason").asText(null)));
            }
        }
        return entries;
    }

    /** Attempt errors from their JSON array, oldest first; none for null. */
    public List<AttemptError> readErrors(String json) {
        if (json == null) {
            return List.of();
        }
        List<AttemptError> errors = new ArrayList<>();
        for (JsonNode node : tree(json, "errors")) {
            errors.add(new AttemptError(node.path("attempt").asInt(), Instant.ofEpochMilli(node.path("at").asLong()),
                    node.path("message").asText(null), node.path("detail").isNull() ? null : node.path("detail").asText(null)));
        }
        return errors;
    }

    /** Any value as JSON. */
    protected String write(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + value, e);
        }
    }

    private JsonNode tree(String json, String column) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw corrupt(column, e);
        }
    }

    private static StoreUnavailableException corrupt(String column, Exception e) {
        return new StoreUnavailableException("unreadable " + column + " column", e);
    }
}
