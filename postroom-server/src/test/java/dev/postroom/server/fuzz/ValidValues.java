package dev.postroom.server.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Values that the contract's schemas allow: required properties always, optional ones now and
 * then, numbers within their bounds (often at a bound), strings of the documented patterns and
 * lengths, enums, {@code date-time}s. Where a schema cannot say what makes sense (a queue that
 * exists, a lease the fuzzer holds, a cron expression), the property's name picks from the
 * {@link World} or from a short list.
 */
final class ValidValues {
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String NAME_CHARS = "ABCXYZabcxyz0129._-";
    private static final List<String> CRONS = List.of("* * * * *", "30 2 * * *", "*/5 * * * *", "0 0 1 1 *", "0 9 * * 1-5", "0 */2 * * * *");
    private static final List<String> ZONES = List.of("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe");
    private static final List<String> SCOPES = List.of("read", "operate", "admin", "send:fuzz-*", "receive:fuzz-a", "send:*");
    private static final List<String> WORDS = List.of("refund", "o-42", "customer 7", "ünïcödé", "日本", "a", "x y z", "");

    private final Contract contract;
    private final World world;
    private final Random random;

    ValidValues(Contract contract, World world, Random random) {
        this.contract = contract;
        this.world = world;
        this.random = random;
    }

    /** A value for {@code schema}; {@code name} is the property (or parameter) it is for, or null. */
    JsonNode value(JsonNode schema, String name, Context context) {
        JsonNode hinted = hinted(name, context);
        if (hinted != null) {
            return hinted;
        }
        schema = contract.resolve(schema);
        if (schema == null || schema.isMissingNode() || schema.isEmpty()) {
            return anyJson(2);
        }
        if (schema.has("enum")) {
            return schema.get("enum").get(random.nextInt(schema.get("enum").size()));
        }
        if (schema.has("oneOf")) {
            return value(schema.get("oneOf").get(random.nextInt(schema.get("oneOf").size())), name, context);
        }
        String type = type(schema);
        return switch (type) {
            case "null" -> NODES.nullNode();
            case "object" -> object(schema, context);
            case "array" -> array(schema, name, context);
            case "integer" -> NODES.numberNode(integer(schema));
            case "number" -> NODES.numberNode(number(schema));
            case "boolean" -> NODES.booleanNode(random.nextBoolean());
            default -> NODES.textNode(string(schema));
        };
    }

    /** Where the value is going: the operation and its path parameters, for names that depend on them. */
    record Context(Operation operation, java.util.Map<String, String> path) {
    }

    /** The schema's type; of a list such as {@code ["object", "null"]} mostly the first. */
    static String type(JsonNode schema) {
        JsonNode type = schema.get("type");
        if (type == null) {
            return schema.has("properties") ? "object" : "any";
        }
        if (type.isArray()) {
            return type.get(0).asText();
        }
        return type.asText();
    }

    private JsonNode hinted(String name, Context context) {
        if (name == null) {
            return null;
        }
        return switch (name) {
            case "queue" -> NODES.textNode(random.nextInt(5) == 0 ? name() : pick(world.queues, name()));
            case "leaseId" -> {
                String held = context.path() == null ? null : world.leases.get(context.path().get("id"));
                yield NODES.textNode(held != null && random.nextInt(8) != 0 ? held : Long.toHexString(random.nextLong()));
            }
            case "waitSeconds" -> NODES.numberNode(random.nextInt(6) == 0 ? 0.01 : 0); // a valid wait blocks the run for that long
            case "cron" -> NODES.textNode(CRONS.get(random.nextInt(CRONS.size())));
            case "timezone" -> NODES.textNode(ZONES.get(random.nextInt(ZONES.size())));
            case "url" -> NODES.textNode("http://127.0.0.1:9/hook/" + random.nextInt(100));
            case "role" -> NODES.textNode(List.of("viewer", "operator", "admin").get(random.nextInt(3)));
            case "password" -> NODES.textNode(chars("abcdefghijkXYZ0123456789!", 10 + random.nextInt(20)));
            case "scopes" -> {
                ArrayNode scopes = NODES.arrayNode();
                for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                    scopes.add(SCOPES.get(random.nextInt(SCOPES.size())));
                }
                yield scopes;
            }
            default -> null;
        };
    }

    private ObjectNode object(JsonNode schema, Context context) {
        ObjectNode object = NODES.objectNode();
        List<String> required = new ArrayList<>();
        schema.path("required").forEach(r -> required.add(r.asText()));
        schema.path("properties").properties().forEach(p -> {
            if (required.contains(p.getKey()) || random.nextInt(3) == 0) {
                object.set(p.getKey(), value(p.getValue(), p.getKey(), context));
            }
        });
        JsonNode additional = schema.get("additionalProperties");
        if (additional != null && additional.isObject() && !schema.has("properties")) { // a map, such as headers
            int max = schema.path("maxProperties").asInt(4);
            for (int i = 0, n = random.nextInt(Math.min(4, max) + 1); i < n; i++) {
                object.set(name(), value(additional, null, context));
            }
        }
        return object;
    }

    private ArrayNode array(JsonNode schema, String name, Context context) {
        ArrayNode array = NODES.arrayNode();
        int min = schema.path("minItems").asInt(0);
        int max = Math.min(schema.path("maxItems").asInt(5), min + 4);
        for (int i = 0, n = min + random.nextInt(max - min + 1); i < n; i++) {
            array.add(value(schema.get("items"), null, context));
        }
        return array;
    }

    private long integer(JsonNode schema) {
        long min = schema.has("minimum") ? schema.get("minimum").asLong() : 0;
        long max = schema.has("maximum") ? schema.get("maximum").asLong() : min + 1000;
        return switch (random.nextInt(4)) {
            case 0 -> min;
            case 1 -> max;
            default -> min + (long) (random.nextDouble() * (max - min));
        };
    }

    private BigDecimal number(JsonNode schema) {
        double min = schema.has("minimum") ? schema.get("minimum").asDouble() : schema.path("exclusiveMinimum").asDouble(0) + 0.001;
        double max = schema.has("maximum") ? schema.get("maximum").asDouble() : min + 3600;
        double value = switch (random.nextInt(5)) {
            case 0 -> min;
            case 1 -> max;
            case 2 -> Math.rint(min + random.nextDouble() * (max - min));
            default -> min + random.nextDouble() * (max - min);
        };
        return BigDecimal.valueOf(Math.max(min, Math.min(max, value)));
    }

    private String string(JsonNode schema) {
        if ("date-time".equals(schema.path("format").asText())) {
            return Instant.now().plus(random.nextInt(20_000) - 10_000, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.MILLIS).toString();
        }
        String pattern = schema.path("pattern").asText("");
        if (pattern.startsWith("^[A-Za-z0-9._-]")) {
            return name();
        }
        if (pattern.startsWith("^[A-Za-z0-9._@-]")) {
            return name() + (random.nextBoolean() ? "@example.com" : "");
        }
        if (pattern.startsWith("^[0-9a-f]{2}-")) {
            return "00-" + hex(32) + "-" + hex(16) + "-01";
        }
        int min = schema.path("minLength").asInt(0);
        int max = Math.min(schema.path("maxLength").asInt(40), 64);
        String word = WORDS.get(random.nextInt(WORDS.size()));
        if (word.length() >= min && word.length() <= max) {
            return word;
        }
        return chars("abcdefgh ", Math.max(min, Math.min(max, 8)));
    }

    /** A short random name of the documented pattern {@code [A-Za-z0-9._-]{1,128}}. */
    String name() {
        return "fz" + chars(NAME_CHARS, 1 + random.nextInt(8));
    }

    /** Any small JSON value, as a payload or result may be. */
    JsonNode anyJson(int depth) {
        return switch (random.nextInt(depth <= 0 ? 4 : 6)) {
            case 0 -> NODES.textNode(WORDS.get(random.nextInt(WORDS.size())));
            case 1 -> NODES.numberNode(random.nextInt(100_000) - 50_000);
            case 2 -> NODES.booleanNode(random.nextBoolean());
            case 3 -> NODES.nullNode();
            case 4 -> {
                ArrayNode array = NODES.arrayNode();
                for (int i = 0, n = random.nextInt(3); i < n; i++) {
                    array.add(anyJson(depth - 1));
                }
                yield array;
            }
            default -> {
                ObjectNode object = NODES.objectNode();
                for (int i = 0, n = random.nextInt(4); i < n; i++) {
                    object.set(WORDS.get(random.nextInt(WORDS.size())) + i, anyJson(depth - 1));
                }
                yield object;
            }
        };
    }

    String pick(World.Pool pool, String otherwise) {
        String item = pool.pick(random);
        return item == null ? otherwise : item;
    }

    private String hex(int length) {
        return chars("0123456789abcdef", length);
    }

    private String chars(String alphabet, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }
}
