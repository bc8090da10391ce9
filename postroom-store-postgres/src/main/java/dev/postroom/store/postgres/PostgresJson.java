package dev.postroom.store.postgres;

import dev.postroom.MessageState;
import dev.postroom.QueuePolicy;
import dev.postroom.store.jdbc.StoredJson;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JSON columns as this store keeps them: the shared shapes of {@link StoredJson}, with no
 * headers stored as SQL NULL, parsed policies remembered, and the first timeline entry built here
 * (later entries are appended by SQL as compact arrays in the same shape).
 */
final class PostgresJson extends StoredJson {
    /** Claims read the policy of their queue every time; most queues keep one policy for ever. */
    private final Map<String, QueuePolicy> policies = new ConcurrentHashMap<>();

    @Override
    public String writeHeaders(Map<String, String> headers) {
        return headers.isEmpty() ? null : super.writeHeaders(headers);
    }

    @Override
    public QueuePolicy readPolicy(String json) {
        QueuePolicy known = policies.get(json);
        if (known != null) {
            return known;
        }
        QueuePolicy policy = super.readPolicy(json);
        if (policies.size() < 10_000) {
            policies.put(json, policy);
        }
        return policy;
    }

    /** The first timeline entry of a message, as a one-element JSON array. */
    String firstTimelineEntry(long at, MessageState state, String node) {
        return write(List.of(java.util.Arrays.asList(at, state.name(), node, 0, "sent")));
    }
}
