package dev.postroom.server.fuzz;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;
import java.util.Random;

/**
 * Valid requests for an operation, as the contract describes them: path parameters that name
 * things the fuzzer knows exist (now and then a new name), optional query parameters, the body
 * from its schema, the admin token. Then {@link #checkAgainstContract} notes on the draft whether
 * the contract forbids it after all (after a mutation, say).
 */
final class Requests {
    private final Contract contract;
    private final World world;
    private final ValidValues values;
    private final Random random;
    private final String adminToken;

    Requests(Contract contract, World world, Random random, String adminToken) {
        this.contract = contract;
        this.world = world;
        this.values = new ValidValues(contract, world, random);
        this.random = random;
        this.adminToken = adminToken;
    }

    Draft valid(Operation op) {
        Draft draft = new Draft(op);
        draft.token = op.open() ? null : adminToken;
        for (Operation.Parameter p : op.in("path")) {
            draft.path.put(p.name(), pathValue(op, p.name(), draft.path));
        }
        ValidValues.Context context = new ValidValues.Context(op, draft.path);
        for (Operation.Parameter p : op.in("query")) {
            if (p.required() || random.nextInt(3) == 0) {
                if (p.name().equals("after") || p.name().equals("before")) {
                    continue; // cursors come from earlier pages; made-up ones are a mutation
                }
                JsonNode value = values.value(p.schema(), p.name(), context);
                draft.query.add(Map.entry(p.name(), value.isTextual() ? value.asText() : value.toString()));
            }
        }
        for (Operation.Parameter p : op.in("header")) {
            if (random.nextInt(3) == 0) {
                draft.headers.put(p.name(), values.value(p.schema(), null, context).asText());
            }
        }
        if (op.path().equals("/api/v1/events")) {
            draft.headers.put("Accept", "text/event-stream");
        }
        if (op.bodySchema() != null && (op.bodyRequired() || random.nextInt(5) != 0)) {
            draft.body = values.value(op.bodySchema(), null, context);
        }
        return draft;
    }

    private String pathValue(Operation op, String name, Map<String, String> earlier) {
        boolean fresh = random.nextInt(6) == 0;
        String path = op.path();
        return switch (name) {
            case "queue" -> fresh ? values.name() : values.pick(world.queues, values.name());
            case "topic" -> fresh ? values.name() : values.pick(world.topics, "fuzz-topic");
            case "username" -> fresh ? values.name() : values.pick(world.users, values.name());
            case "name" -> {
                if (path.contains("/subscriptions/")) {
                    String known = world.subscriptions.pick(random);
                    yield !fresh && known != null && known.startsWith(earlier.get("topic") + "/")
                            ? known.substring(known.indexOf('/') + 1) : values.name();
                }
                if (path.startsWith("/api/v1/webhooks/")) {
                    yield fresh ? values.name() : values.pick(world.webhooks, values.name());
                }
                yield fresh ? values.name() : values.pick(world.schedules, values.name());
            }
            case "id" -> {
                if (path.startsWith("/api/v1/tokens/")) {
                    yield values.pick(world.tokens, "unknown-token-id");
                }
                if (path.startsWith("/api/v1/batches/")) {
                    yield values.pick(world.batches, "unknown-batch");
                }
                boolean leased = path.endsWith("/ack") || path.endsWith("/nack") || path.endsWith("/extend") || path.endsWith("/progress");
                if (leased && !world.leases.isEmpty() && random.nextInt(5) != 0) {
                    yield world.leases.keySet().stream().skip(random.nextInt(world.leases.size())).findFirst().orElseThrow();
                }
                yield values.pick(world.messages, "unknown-message");
            }
            default -> values.name();
        };
    }

    /** Records on the draft whether the contract forbids its path, query or body. */
    void checkAgainstContract(Draft draft) {
        Operation op = draft.operation;
        for (Operation.Parameter p : op.in("path")) {
            if (draft.encodedPath.containsKey(p.name()) && p.schema().has("pattern")) {
                draft.rejectedBecause("path parameter " + p.name() + " does not match its pattern");
            } else if (draft.path.containsKey(p.name()) && !contract.valid(p.schema(), ValidValues.NODES.textNode(draft.path.get(p.name())))) {
                draft.rejectedBecause("path parameter " + p.name() + " does not match its schema");
            }
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Map.Entry<String, String> q : draft.query) {
            if (!seen.add(q.getKey())) {
                continue; // a repeated parameter: the server reads the first, as Javalin does
            }
            op.in("query").stream().filter(p -> p.name().equals(q.getKey())).findFirst().ifPresent(p -> {
                JsonNode value = queryValue(p.schema(), q.getValue());
                if (value == null || !contract.valid(p.schema(), value)) {
                    draft.rejectedBecause("query parameter " + p.name() + " does not match its schema");
                }
            });
        }
        if (op.bodySchema() != null && draft.rawBody == null && draft.body != null && draft.contentType.equals("application/json")
                && !contract.valid(op.bodySchema(), withoutNullOptionals(draft.body.deepCopy(), op.bodySchema()))) {
            draft.rejectedBecause("body does not match " + op.bodySchema().path("$ref").asText("its schema"));
        }
    }

    /**
     * The body as the contract reads it: "a JSON null for an optional property is read as the
     * property left out" (its description), so such a null is taken out before validating.
     */
    private JsonNode withoutNullOptionals(JsonNode value, JsonNode schema) {
        schema = contract.resolve(schema);
        if (schema == null) {
            return value;
        }
        for (JsonNode branch : schema.path("oneOf")) {
            if (contract.resolve(branch).has("properties")) {
                schema = contract.resolve(branch);
            }
        }
        if (value.isObject()) {
            java.util.Set<String> required = new java.util.HashSet<>();
            schema.path("required").forEach(r -> required.add(r.asText()));
            var names = new java.util.ArrayList<String>();
            value.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode property = schema.path("properties").get(name);
                if (value.get(name).isNull() && !required.contains(name)) {
                    ((com.fasterxml.jackson.databind.node.ObjectNode) value).remove(name);
                } else if (property != null) {
                    withoutNullOptionals(value.get(name), property);
                }
            }
        } else if (value.isArray() && schema.has("items")) {
            for (JsonNode item : value) {
                withoutNullOptionals(item, schema.get("items"));
            }
        }
        return value;
    }

    /** A query string's value as the JSON its schema types it (null when it cannot be one). */
    private static JsonNode queryValue(JsonNode schema, String text) {
        String type = ValidValues.type(schema);
        try {
            return switch (type) {
                case "integer" -> text.matches("-?[0-9]+") ? ValidValues.NODES.numberNode(new java.math.BigInteger(text)) : null;
                case "number" -> text.matches("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?") ? ValidValues.NODES.numberNode(new java.math.BigDecimal(text)) : null;
                case "boolean" -> text.equals("true") || text.equals("false") ? ValidValues.NODES.booleanNode(Boolean.parseBoolean(text)) : null;
                default -> ValidValues.NODES.textNode(text);
            };
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
