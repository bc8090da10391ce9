package dev.postroom.server.fuzz;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What the fuzzer knows exists on the server, learnt from the answers it got (a 201 adds, a 204
 * removes), so that valid requests name real queues, messages and leases and reach past the
 * "not found" answers. Each pool keeps its newest entries only, so that picking stays cheap.
 */
final class World {
    private static final int KEEP = 200;
    /** Queue names always offered, created or not: a valid PUT re-creates them after a forced delete. */
    static final List<String> BASE_QUEUES = List.of("fuzz-a", "fuzz-b", "fuzz-c");

    final Pool queues = new Pool();
    final Pool topics = new Pool();
    /** {@code topic/name} of each subscription. */
    final Pool subscriptions = new Pool();
    final Pool messages = new Pool();
    final Pool schedules = new Pool();
    final Pool batches = new Pool();
    /** Ids of tokens the fuzzer created over the API: the only ones it may revoke (not its own). */
    final Pool tokens = new Pool();
    final Pool users = new Pool();
    final Pool webhooks = new Pool();
    /** The current lease of each message the fuzzer holds, by message id. */
    final Map<String, String> leases = new LinkedHashMap<>();

    World() {
        BASE_QUEUES.forEach(queues::add);
    }

    /** Learns from a successful answer ({@code status} 2xx, {@code body} its JSON) of {@code op}, whose path parameters were {@code path}. */
    void learn(Operation op, Map<String, String> path, int status, JsonNode body) {
        String route = op.toString();
        switch (route) {
            case "PUT /api/v1/queues/{queue}" -> queues.add(path.get("queue"));
            case "DELETE /api/v1/queues/{queue}" -> {
                if (!BASE_QUEUES.contains(path.get("queue"))) {
                    queues.remove(path.get("queue"));
                }
            }
            case "PUT /api/v1/topics/{topic}" -> topics.add(path.get("topic"));
            case "DELETE /api/v1/topics/{topic}" -> topics.remove(path.get("topic"));
            case "PUT /api/v1/topics/{topic}/subscriptions/{name}" -> subscriptions.add(path.get("topic") + "/" + path.get("name"));
            case "DELETE /api/v1/topics/{topic}/subscriptions/{name}" -> subscriptions.remove(path.get("topic") + "/" + path.get("name"));
            case "POST /api/v1/queues/{queue}/messages" -> messages.add(body.path("id").asText());
            case "POST /api/v1/queues/{queue}/messages:batch" -> {
                body.path("results").forEach(r -> messages.add(r.path("id").asText()));
                if (body.hasNonNull("batchId")) {
                    batches.add(body.get("batchId").asText());
                }
            }
            case "POST /api/v1/topics/{topic}/messages" -> body.path("deliveries").forEach(d -> messages.add(d.path("id").asText()));
            case "POST /api/v1/queues/{queue}/receive" -> body.path("messages").forEach(m -> {
                messages.add(m.path("id").asText());
                leases.put(m.path("id").asText(), m.path("leaseId").asText());
                if (leases.size() > KEEP) {
                    leases.remove(leases.keySet().iterator().next());
                }
            });
            case "POST /api/v1/messages/{id}/ack", "POST /api/v1/messages/{id}/nack" -> leases.remove(path.get("id"));
            case "DELETE /api/v1/messages/{id}" -> {
                messages.remove(path.get("id"));
                leases.remove(path.get("id"));
            }
            case "POST /api/v1/tokens" -> tokens.add(body.path("id").asText());
            case "DELETE /api/v1/tokens/{id}" -> tokens.remove(path.get("id"));
            case "POST /api/v1/users" -> users.add(body.path("username").asText());
            case "DELETE /api/v1/users/{username}" -> users.remove(path.get("username"));
            case "PUT /api/v1/schedules/{name}" -> schedules.add(path.get("name"));
            case "DELETE /api/v1/schedules/{name}" -> schedules.remove(path.get("name"));
            case "PUT /api/v1/webhooks/{name}" -> webhooks.add(path.get("name"));
            case "DELETE /api/v1/webhooks/{name}" -> webhooks.remove(path.get("name"));
            default -> {
                // reads and state changes of known things: nothing new to learn
            }
        }
    }

    /** A bounded list of names or ids, newest last. */
    static final class Pool {
        private final List<String> items = new ArrayList<>();

        void add(String item) {
            if (item == null || item.isEmpty() || items.contains(item)) {
                return;
            }
            items.add(item);
            if (items.size() > KEEP) {
                items.removeFirst();
            }
        }

        void remove(String item) {
            items.remove(item);
        }

        boolean isEmpty() {
            return items.isEmpty();
        }

        /** One of the items, or null when there are none. */
        String pick(Random random) {
            return items.isEmpty() ? null : items.get(random.nextInt(items.size()));
        }
    }
}
