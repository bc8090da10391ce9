package dev.postroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.postroom.server.http.TestServer.Reply;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded random malformed requests: {@value #ITERATIONS} times, a random route gets a valid body
 * spoiled one way (truncated, a wrong type, a huge number, junk nested in a field or nested past
 * the parser's depth limit, an unknown field, invalid UTF-8, an empty array, a null where a value
 * is required, a string over every limit, not an object at all). Every answer must be a 4xx
 * problem+json, and afterwards the store must be exactly as before: a rejected request changes
 * nothing. Replay a failure with {@code -Dpostroom.seed=<seed>} (the seed is in every message).
 */
class MalformedRequestsTest {
    private static final int ITERATIONS = 300;
    private static final long SEED = Long.getLong("postroom.seed", ThreadLocalRandom.current().nextLong());
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Stands for raw bytes spliced into the serialised body (numbers Jackson cannot hold, bad UTF-8, deep nesting). */
    private static final String RAW = "@@raw@@";
    /** Fields that take any JSON value, so a wrong type or junk there is no error. */
    private static final List<String> ANY_JSON = List.of("payload", "result");
    private static final String QUEUE = "target";

    @RegisterExtension
    static final TestServer server = new TestServer();
    static String leasedId;
    static String deadId;
    static String lease;

    /** A route with a valid body to spoil, and the fields whose null is an error. */
    private record Target(String method, String path, String body, List<String> required) {
    }

    /** A spoiled body: bytes to send and a readable description. */
    private record Malformed(String kind, byte[] bytes) {
        String preview() {
            String text = new String(bytes, StandardCharsets.UTF_8);
            return kind + " " + (text.length() > 200 ? text.substring(0, 200) + "…(" + bytes.length + " bytes)" : text);
        }
    }

    @BeforeAll
    static void start() {
        server.createQueue(QUEUE, "{\"maxAttempts\":1}");
        server.send(QUEUE, "{\"n\":1}");
        server.send(QUEUE, "{\"n\":2}");
        server.send(QUEUE, "{\"n\":3}");
        JsonNode dying = server.receiveOne(QUEUE);
        deadId = dying.get("id").asText();
        Reply nacked = server.post("/api/v1/messages/" + deadId + "/nack", server.admin,
                "{\"leaseId\":\"" + dying.get("leaseId").asText() + "\",\"error\":{\"message\":\"boom\"}}");
        assertThat(nacked.json().get("state").asText()).isEqualTo("DEAD");
        Reply leased = server.post("/api/v1/queues/" + QUEUE + "/receive", server.admin, "{\"leaseSeconds\":3600}");
        leasedId = leased.json().get("messages").get(0).get("id").asText();
        lease = leased.json().get("messages").get(0).get("leaseId").asText();
        String cancelled = server.send(QUEUE, "{\"n\":4}");
        server.post("/api/v1/messages/" + cancelled + "/cancel", server.admin, null);
        assertThat(server.post("/api/v1/users", server.admin, "{\"username\":\"victim\",\"password\":\"0123456789\"}").status()).isEqualTo(201);
    }

    private static List<Target> targets() {
        String q = "/api/v1/queues/" + QUEUE;
        String m = "/api/v1/messages/" + leasedId;
        return List.of(
                new Target("PUT", q, "{\"maxAttempts\":1,\"backoff\":{\"initialSeconds\":1,\"maxSeconds\":600,\"multiplier\":2},"
                        + "\"leaseSeconds\":30,\"concurrency\":64,\"retentionHours\":24,\"deadRetentionHours\":168}", List.of()),
                new Target("POST", q + "/messages", "{\"payload\":{\"n\":1,\"tags\":[\"a\"]},\"headers\":{\"kind\":\"k\"},\"delaySeconds\":0,"
                        + "\"notBefore\":\"2030-01-01T00:00:00Z\",\"priority\":1,\"orderingKey\":\"o\",\"idempotencyKey\":\"i\",\"ttlSeconds\":60}",
                        List.of()),
                new Target("POST", q + "/messages:batch", "{\"messages\":[{\"payload\":1},{\"payload\":\"two\",\"priority\":3,"
                        + "\"headers\":{\"a\":\"b\"}}]}", List.of("messages", "messages[0]", "messages[1]")),
                new Target("POST", q + "/receive", "{\"max\":1,\"waitSeconds\":0,\"leaseSeconds\":30}", List.of()),
                new Target("POST", m + "/ack", "{\"leaseId\":\"" + lease + "\",\"result\":{\"ok\":true}}", List.of("leaseId")),
                new Target("POST", m + "/nack", "{\"leaseId\":\"" + lease + "\",\"error\":{\"message\":\"m\",\"detail\":\"d\"},"
                        + "\"retryAfterSeconds\":1}", List.of("leaseId", "error", "error.message")),
                new Target("POST", m + "/extend", "{\"leaseId\":\"" + lease + "\",\"leaseSeconds\":60}", List.of("leaseId", "leaseSeconds")),
                new Target("POST", m + "/progress", "{\"leaseId\":\"" + lease + "\",\"percent\":5,\"note\":\"n\"}", List.of("leaseId")),
                new Target("POST", q + "/purge", "{\"states\":[\"DEAD\",\"CANCELLED\"]}", List.of("states", "states[0]")),
                new Target("POST", q + "/redrive", "{\"filter\":null}", List.of()),
                new Target("POST", "/api/v1/tokens", "{\"name\":\"n\",\"scopes\":[\"read\",\"send:a*\"]}", List.of("name", "scopes", "scopes[0]")),
                new Target("POST", "/api/v1/users", "{\"username\":\"newcomer\",\"password\":\"0123456789\",\"role\":\"viewer\"}",
                        List.of("username", "password")),
                new Target("PUT", "/api/v1/users/victim/password", "{\"password\":\"9876543210\"}", List.of("password")),
                new Target("GET", "/api/v1/queues", "{\"any\":\"body\"}", List.of()),
                new Target("GET", m, "{\"any\":\"body\"}", List.of()),
                new Target("DELETE", q, "{\"any\":\"body\"}", List.of()),
                new Target("DELETE", "/api/v1/messages/" + deadId, "{\"any\":\"body\"}", List.of()));
    }

    /** What the store holds, as the API shows it: queues with counts and policies, two messages, the live tokens. */
    private static String snapshot() {
        List<String> parts = new ArrayList<>();
        JsonNode queues = server.get("/api/v1/queues", server.admin).json();
        queues.get("queues").forEach(q -> ((ObjectNode) q).remove("oldestReadyAgeSeconds")); // grows with time alone
        parts.add(queues.toString());
        parts.add(server.get("/api/v1/messages/" + leasedId, server.admin).body());
        parts.add(server.get("/api/v1/messages/" + deadId, server.admin).body());
        for (JsonNode token : server.get("/api/v1/tokens", server.admin).json().get("tokens")) {
            parts.add(token.get("id").asText() + " " + token.get("name").asText() + " " + token.get("scopes"));
        }
        return String.join("\n", parts);
    }

    @Test
    void malformedRequestsAreAlwaysA4xxProblemAndChangeNothing() {
        Random random = new Random(SEED);
        List<Target> targets = targets();
        String before = snapshot();

        for (int i = 0; i < ITERATIONS; i++) {
            Target target = targets.get(random.nextInt(targets.size()));
            Malformed body = spoil(target, random);

            String request = String.format("seed %d (replay: -Dpostroom.seed=%d), request %d: %s %s with %s",
                    SEED, SEED, i, target.method(), target.path(), body.preview());
            Reply reply;
            try {
                reply = server.call(target.method(), target.path(), server.admin, body.bytes());
            } catch (RuntimeException e) {
                throw new AssertionError(request + " failed: " + e, e);
            }

            String context = request + " -> " + reply;
            assertThat(reply.status()).as(context).isBetween(400, 499);
            try {
                TestServer.assertIsProblem(reply);
            } catch (AssertionError e) {
                throw new AssertionError(context + ": " + e.getMessage(), e);
            }
        }

        assertThat(snapshot()).as("store after %d malformed requests, seed %d (replay: -Dpostroom.seed=%d)", ITERATIONS, SEED, SEED)
                .isEqualTo(before);
    }

    // ---------------------------------------------------------------- spoiling

    private static Malformed spoil(Target target, Random random) {
        ObjectNode body = (ObjectNode) new Reply(200, "", target.body()).json();
        List<Slot> typed = slots(body, "", false);
        List<Slot> all = slots(body, "", true);
        int kind = random.nextInt(11);
        return switch (kind) {
            case 0 -> {
                byte[] json = body.toString().getBytes(StandardCharsets.UTF_8);
                int cut = 1 + random.nextInt(json.length - 1);
                yield new Malformed("truncated", java.util.Arrays.copyOf(json, cut));
            }
            case 1 -> typed.isEmpty() ? notAnObject(random) : wrongType(body, typed.get(random.nextInt(typed.size())), random);
            case 2 -> {
                List<Slot> numbers = typed.stream().filter(s -> s.get().isNumber()).toList();
                List<Slot> pool = numbers.isEmpty() ? typed : numbers;
                if (pool.isEmpty()) {
                    body.put(RAW, 1);
                    yield raw("huge number as unknown field", body, hugeNumber(random));
                }
                pool.get(random.nextInt(pool.size())).set(TextNode.valueOf(RAW));
                yield raw("huge number", body, hugeNumber(random));
            }
            case 3 -> {
                if (typed.isEmpty()) {
                    body.set("junk" + random.nextInt(100), junk(random, 2 + random.nextInt(5)));
                    yield json("unknown junk", body);
                }
                Slot slot = typed.get(random.nextInt(typed.size()));
                slot.set(junk(random, 2 + random.nextInt(5)));
                yield json("junk in " + slot.path(), body);
            }
            case 4 -> {
                Slot slot = all.get(random.nextInt(all.size()));
                slot.set(TextNode.valueOf(RAW));
                int depth = 1_100 + random.nextInt(500);
                String deep = "[".repeat(depth) + "]".repeat(depth);
                yield raw("nesting " + depth + " deep in " + slot.path(), body, deep.getBytes(StandardCharsets.US_ASCII));
            }
            case 5 -> {
                List<ObjectNode> objects = new ArrayList<>();
                objects.add(body);
                // headers are a free-form map: a new key there is a new header, not an unknown field
                typed.stream().filter(slot -> slot.get().isObject() && !slot.path().endsWith("headers"))
                        .forEach(slot -> objects.add((ObjectNode) slot.get()));
                ObjectNode into = objects.get(random.nextInt(objects.size()));
                into.put("unknown" + random.nextInt(1000), random.nextBoolean() ? NODES.textNode("x") : NODES.numberNode(1));
                yield json("unknown field", body);
            }
            case 6 -> invalidUtf8(body, random);
            case 7 -> {
                List<Slot> arrays = typed.stream().filter(s -> s.get().isArray()).toList();
                List<Slot> pool = arrays.isEmpty() ? typed : arrays;
                if (pool.isEmpty()) {
                    yield new Malformed("empty array body", "[]".getBytes(StandardCharsets.US_ASCII));
                }
                Slot slot = pool.get(random.nextInt(pool.size()));
                slot.set(NODES.arrayNode());
                yield json("empty array in " + slot.path(), body);
            }
            case 8 -> {
                List<Slot> required = all.stream().filter(s -> target.required().contains(s.path())).toList();
                if (required.isEmpty() || random.nextInt(4) == 0) {
                    yield new Malformed("null body", "null".getBytes(StandardCharsets.US_ASCII));
                }
                Slot slot = required.get(random.nextInt(required.size()));
                slot.set(NODES.nullNode());
                yield json("null " + slot.path(), body);
            }
            case 9 -> longString(body, typed, all, random);
            default -> notAnObject(random);
        };
    }

    private static Malformed wrongType(ObjectNode body, Slot slot, Random random) {
        JsonNode was = slot.get();
        List<JsonNode> candidates = new ArrayList<>(List.of(NODES.textNode("text"), NODES.numberNode(7), NODES.booleanNode(true),
                NODES.objectNode().put("k", 1), NODES.arrayNode().add(1)));
        candidates.removeIf(c -> c.getNodeType() == was.getNodeType());
        slot.set(candidates.get(random.nextInt(candidates.size())));
        return json("wrong type for " + slot.path(), body);
    }

    private static Malformed longString(ObjectNode body, List<Slot> typed, List<Slot> all, Random random) {
        List<Slot> strings = new ArrayList<>(typed.stream().filter(s -> s.get().isTextual()).toList());
        all.stream().filter(s -> s.path().endsWith("payload")).forEach(strings::add);
        if (strings.isEmpty()) {
            strings.addAll(typed);
        }
        if (strings.isEmpty()) {
            body.put("x".repeat(70_000), 1);
            return json("long unknown field", body);
        }
        Slot slot = strings.get(random.nextInt(strings.size()));
        // over every limit: a payload's 256 KiB, error.detail's 64 Ki characters, the rest are shorter
        slot.set(NODES.textNode("é".repeat(140_000 + random.nextInt(20_000))));
        return json("long string in " + slot.path(), body);
    }

    private static Malformed invalidUtf8(ObjectNode body, Random random) {
        byte[][] bad = {{(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0x80}, {(byte) 0xF0, (byte) 0x9F},
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80}};
        byte[] json = body.toString().getBytes(StandardCharsets.UTF_8);
        List<Integer> quotes = new ArrayList<>();
        for (int i = 0; i < json.length; i++) {
            if (json[i] == '"') {
                quotes.add(i);
            }
        }
        int at = quotes.get(random.nextInt(quotes.size())) + 1;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(json, 0, at);
        out.writeBytes(bad[random.nextInt(bad.length)]);
        out.write(json, at, json.length - at);
        return new Malformed("invalid UTF-8", out.toByteArray());
    }

    private static Malformed notAnObject(Random random) {
        String[] bodies = {"[]", "[{}]", "\"text\"", "42", "true", "-0.5e3", "{}{}", "{\"a\":1,}", "{'a':1}", "\uFEFF{}x", "{\"a\" 1}"};
        return new Malformed("not an object", bodies[random.nextInt(bodies.length)].getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] hugeNumber(Random random) {
        String[] numbers = {"1e400", "-1e400", "123456789012345678901234567890", "-99999999999999999999", "1.7976931348623157e309",
                "9".repeat(500), "1e19", "-4.2e30"};
        return numbers[random.nextInt(numbers.length)].getBytes(StandardCharsets.US_ASCII);
    }

    /** Junk that, two or more levels deep, is never a valid value for a typed field (nor a header value). */
    private static JsonNode junk(Random random, int depth) {
        if (depth == 0) {
            return random.nextBoolean() ? NODES.textNode("junk") : NODES.numberNode(random.nextInt());
        }
        if (random.nextBoolean()) {
            ObjectNode object = NODES.objectNode();
            object.set("junk" + depth, junk(random, depth - 1));
            return object;
        }
        ArrayNode array = NODES.arrayNode();
        array.add(junk(random, depth - 1));
        if (random.nextBoolean()) {
            array.addNull();
        }
        return array;
    }

    private static Malformed json(String kind, ObjectNode body) {
        return new Malformed(kind, body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static Malformed raw(String kind, ObjectNode body, byte[] raw) {
        String json = body.toString();
        int at = json.indexOf("\"" + RAW + "\"");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(json.substring(0, at).getBytes(StandardCharsets.UTF_8));
        out.writeBytes(raw);
        out.writeBytes(json.substring(at + RAW.length() + 2).getBytes(StandardCharsets.UTF_8));
        return new Malformed(kind, out.toByteArray());
    }

    // ---------------------------------------------------------------- where a value sits in a body

    /** A place in a JSON tree that holds a value: read it, replace it, name it as the API would. */
    private record Slot(String path, JsonNode parent, String field, int index) {
        JsonNode get() {
            return field != null ? parent.get(field) : parent.get(index);
        }

        void set(JsonNode value) {
            if (field != null) {
                ((ObjectNode) parent).set(field, value);
            } else {
                ((ArrayNode) parent).set(index, value);
            }
        }
    }

    /**
     * Every value slot under {@code node}, depth first. Without {@code anyJson}, leaves out the
     * fields that take any JSON value (and all below them) and nulls, so that changing a slot's
     * type is always an error.
     */
    private static List<Slot> slots(JsonNode node, String prefix, boolean anyJson) {
        List<Slot> slots = new ArrayList<>();
        Consumer<Slot> visit = slot -> {
            boolean free = ANY_JSON.stream().anyMatch(f -> slot.path().equals(f) || slot.path().endsWith("." + f));
            if (anyJson || (!free && !slot.get().isNull())) {
                slots.add(slot);
            }
            if (!free) {
                slots.addAll(slots(slot.get(), slot.path(), anyJson));
            }
        };
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                visit.accept(new Slot(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), node, field.getKey(), -1));
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                visit.accept(new Slot(prefix + "[" + i + "]", node, null, i));
            }
        }
        return slots;
    }
}
