package dev.postroom.store.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.AttemptError;
import dev.postroom.MessageState;
import dev.postroom.QueuePolicy;
import dev.postroom.TimelineEntry;
import dev.postroom.engine.PayloadCodec;
import dev.postroom.store.StoreUnavailableException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JSON columns (headers, policy, timeline, errors), read and written with Jackson. Entries of
 * timeline and errors are written by SQL ({@code jsonb_build_object}); their shape is the embedded
 * store's: {@code at} in epoch milliseconds, state by name.
 */
final class StoredJson {
    private static final TypeReference<Map<String, String>> HEADERS = new TypeReference<>() {
    };
    private final ObjectMapper mapper = PayloadCodec.defaultMapper();
    /** Claims read the policy of their queue every time; most queues keep one policy for ever. */
    private final Map<String, QueuePolicy> policies = new ConcurrentHashMap<>();

    String writeHeaders(Map<String, String> headers) {
        return headers.isEmpty() ? null : write(headers);
    }

    Map<String, String> readHeaders(String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return mapper.readValue(json, HEADERS);
        } catch (JsonProcessingException e) {
            throw corrupt("headers", e);
        }
    }

    String writePolicy(QueuePolicy policy) {
        return write(policy);
    }

    QueuePolicy readPolicy(String json) {
        QueuePolicy known = policies.get(json);
        if (known != null) {
            return known;
        }
        try {
            QueuePolicy policy = mapper.readValue(json, QueuePolicy.class);
            if (policies.size() < 10_000) {
                policies.put(json, policy);
            }
            return policy;
        } catch (JsonProcessingException e) {
            throw corrupt("policy", e);
        }
    }

    /** The first timeline entry of a message, as a one-element JSON array. */
    String firstTimelineEntry(long at, MessageState state, String node) {
        return write(List.of(Map.of("at", at, "state", state.name(), "node", node, "attempt", 0, "reason", "sent")));
    }

    List<TimelineEntry> readTimeline(String json) {
        List<TimelineEntry> entries = new ArrayList<>();
        for (JsonNode node : tree(json, "timeline")) {
            entries.add(new TimelineEntry(Instant.ofEpochMilli(node.path("at").asLong()),
                    MessageState.valueOf(node.path("state").asText()), node.path("node").asText(null),
                    node.path("attempt").asInt(), node.path("reason").asText(null)));
        }
        return entries;
    }

    List<AttemptError> readErrors(String json) {
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

    private JsonNode tree(String json, String column) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw corrupt(column, e);
        }
    }

    private String write(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + value, e);
        }
    }

    private static StoreUnavailableException corrupt(String column, Exception e) {
        return new StoreUnavailableException("unreadable " + column + " column", e);
    }
}
