package dev.postroom.server.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import static dev.postroom.server.fuzz.ValidValues.NODES;

/**
 * Turns a valid {@link Draft} into an invalid or odd one, one mutation at a time: wrong JSON
 * types, missing required and unknown fields, huge strings, odd Unicode, boundary numbers, bad
 * path ids and query values, arrays and maps past their documented counts, malformed JSON, wrong
 * content types, empty and non-object bodies, and missing or weak tokens. Each mutation is named
 * on the draft, for the failure report.
 */
final class Mutator {
    /** Past every documented length (names 128, keys 256, notes 1,000, messages 2,000, header values 4,096, payloads 256 KiB). */
    private static final int[] HUGE = {129, 257, 1_001, 2_001, 4_097, 65_537, 300_000};
    /** Over the server's 8 MiB request body limit. */
    private static final int OVER_BODY_LIMIT = 8 * 1024 * 1024 + 16;
    private static final List<String> ODD = List.of(
            "nul\u0000inside", "\u0000", "lone \uD800 high", "lone \uDC00 low", "\uDBFF", "rtl \u202Eevil\u202C", "\u200F\u05E9\u05DC\u05D5\u05DD",
            "emoji \uD83D\uDE00\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67", "bell\u0007tab\tcr\rlf\n", "\u001B[31mred", "\uFEFFbom",
            "e\u0301\u0301\u0301", "\uFFFF\uFFFE", "\u2028\u2029", "  ", "", "\u00A0", "%00", "..", "'; DROP TABLE x;--", "<script>x</script>");
    private static final List<String> BAD_IDS = List.of(
            "does-not-exist", "0", "-1", "9223372036854775808", "null", "true", "{id}", " ", "a b", "ü", "\uD83D\uDE00", "\u202Ename",
            "0190b3a6-7c1e-7000-8000-000000000000", "01J0000000000000000000000", "'; DROP TABLE x;--", "<b>x</b>", "*", "fuzz-*");
    /** Already percent-encoded: NUL, an encoded slash, bytes that are not UTF-8, an overlong encoding. */
    private static final List<String> ENCODED_IDS = List.of("%00", "%2F", "a%2Fb", "%FF%FE", "%C0%AE", "%E2%80%AE", "%25");
    private static final List<String> MALFORMED = List.of(
            "{", "}", "{\"payload\":}", "{'payload':1}", "{\"payload\":1}}", "{\"payload\":1} trailing", "[1,2", "nul", "{\"payload\":tru}",
            "{\"payload\":\"\\uZZZZ\"}", "{\"payload\":\"unterminated}", "{\"payload\":01}", "{\"payload\":.5}", "{\"payload\":+1}",
            "{\"payload\":NaN}", "{\"payload\":Infinity}", "{\"payload\":1,}", "{,}", "/* comment */ {}", "{\"a\":1 \"b\":2}");
    private static final List<String> CONTENT_TYPES = List.of(
            "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
            "application/json-patch+json", "application/jsonx", "text/json", "application/problem+json", "*/*");

    private final Random random;
    private final String weakToken;

    /** {@code weakToken} grants only {@code send:} on queues the fuzzer never names. */
    Mutator(Random random, String weakToken) {
        this.random = random;
        this.weakToken = weakToken;
    }

    /** Applies one mutation that fits the draft. */
    void mutate(Draft draft) {
        for (int tries = 0; tries < 8; tries++) {
            if (tryOne(draft, random.nextInt(15))) {
                return;
            }
        }
        badAuth(draft);
    }

    private boolean tryOne(Draft draft, int which) {
        return switch (which) {
            case 0 -> onBodyNode(draft, "wrong-type", this::wrongType);
            case 1 -> missingRequired(draft);
            case 2 -> extraField(draft);
            case 3 -> hugeString(draft);
            case 4 -> oddUnicode(draft);
            case 5 -> onBodyNode(draft, "boundary-number", this::boundaryNumber);
            case 6 -> badPathId(draft);
            case 7 -> badQuery(draft);
            case 8 -> malformedJson(draft);
            case 9 -> wrongContentType(draft);
            case 10 -> emptyBody(draft);
            case 11 -> nonObjectBody(draft);
            case 12 -> unexpectedBody(draft);
            case 13 -> tooMany(draft);
            default -> badAuth(draft);
        };
    }

    // ---------------------------------------------------------------- body values

    /** A place in the body: a field of an object or an element of an array. */
    private record Slot(JsonNode parent, String field, int index) {
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

    private static List<Slot> slots(JsonNode node) {
        List<Slot> slots = new ArrayList<>();
        collect(node, slots, 0);
        return slots;
    }

    private static void collect(JsonNode node, List<Slot> slots, int depth) {
        if (depth > 6) {
            return;
        }
        if (node.isObject()) {
            node.properties().forEach(p -> {
                slots.add(new Slot(node, p.getKey(), -1));
                collect(p.getValue(), slots, depth + 1);
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                slots.add(new Slot(node, null, i));
                collect(node.get(i), slots, depth + 1);
            }
        }
    }

    private boolean onBodyNode(Draft draft, String name, Consumer<Slot> change) {
        if (draft.body == null) {
            return false;
        }
        List<Slot> slots = slots(draft.body);
        if (slots.isEmpty()) {
            return false;
        }
        change.accept(slots.get(random.nextInt(slots.size())));
        draft.mutation = name;
        return true;
    }

    private void wrongType(Slot slot) {
        List<JsonNode> others = new ArrayList<>(List.of(NODES.numberNode(42), NODES.numberNode(-1.5), NODES.booleanNode(true), NODES.nullNode(),
                NODES.textNode("text"), NODES.textNode("42"), NODES.arrayNode(), NODES.objectNode(), NODES.arrayNode().add(1).add("two"),
                NODES.objectNode().put("a", 1)));
        JsonNode current = slot.get();
        others.removeIf(o -> o.getNodeType() == current.getNodeType());
        slot.set(others.get(random.nextInt(others.size())));
    }

    private void boundaryNumber(Slot slot) {
        List<JsonNode> numbers = List.of(NODES.numberNode(0), NODES.numberNode(-1), NODES.numberNode(1), NODES.numberNode(-0.0),
                NODES.numberNode(0.5), NODES.numberNode(Integer.MAX_VALUE), NODES.numberNode(Integer.MAX_VALUE + 1L),
                NODES.numberNode(Long.MAX_VALUE), NODES.numberNode(new BigInteger("9223372036854775808")),
                NODES.numberNode(new BigInteger("-9223372036854775809")), NODES.numberNode(new BigDecimal("1e308")),
                NODES.numberNode(new BigDecimal("1e309")), NODES.numberNode(new BigDecimal("4.9e-324")),
                NODES.numberNode(new BigDecimal("1e-400")), NODES.numberNode(new BigInteger("123456789012345678901234567890")),
                NODES.numberNode(100), NODES.numberNode(101), NODES.numberNode(1001), NODES.numberNode(43200), NODES.numberNode(43201),
                NODES.numberNode(86400.5), NODES.numberNode(20.001), NODES.numberNode(10001), NODES.numberNode(1000001),
                NODES.textNode("NaN"), NODES.textNode("Infinity"), NODES.textNode("-0"), NODES.textNode("1e3"));
        slot.set(numbers.get(random.nextInt(numbers.size())));
    }

    /**
     * An array or a map grown to just past a documented count (64 headers, 62 on a schedule, 58 on
     * a batch's completion, 100 or 1,000 items), or just to it.
     */
    private boolean tooMany(Draft draft) {
        if (draft.body == null) {
            return false;
        }
        List<Slot> containers = slots(draft.body).stream().filter(s -> s.get().isContainerNode()).toList();
        if (containers.isEmpty()) {
            return false;
        }
        JsonNode target = containers.get(random.nextInt(containers.size())).get();
        if (target.isArray()) {
            int size = List.of(100, 101, 1_000, 1_001).get(random.nextInt(4));
            ArrayNode array = (ArrayNode) target;
            JsonNode first = array.isEmpty() ? NODES.numberNode(1) : array.get(0);
            while (array.size() < size) {
                array.add(first.deepCopy());
            }
            draft.mutation = "too-many items " + size;
        } else {
            int size = List.of(58, 59, 62, 63, 64, 65).get(random.nextInt(6));
            ObjectNode object = (ObjectNode) target;
            for (int i = 0; object.size() < size; i++) {
                object.put("k" + i, "v");
            }
            draft.mutation = "too-many properties " + size;
        }
        return true;
    }

    private boolean missingRequired(Draft draft) {
        if (draft.body == null || draft.body.isEmpty()) {
            return false;
        }
        List<Slot> fields = slots(draft.body).stream().filter(s -> s.field() != null).toList();
        if (fields.isEmpty()) {
            return false;
        }
        Slot slot = fields.get(random.nextInt(fields.size()));
        ((ObjectNode) slot.parent()).remove(slot.field());
        draft.mutation = "missing-field " + slot.field();
        return true;
    }

    private boolean extraField(Draft draft) {
        if (draft.body == null || !draft.body.isObject()) {
            return false;
        }
        List<JsonNode> objects = new ArrayList<>(List.of(draft.body));
        slots(draft.body).stream().map(Slot::get).filter(JsonNode::isObject).forEach(objects::add);
        ObjectNode target = (ObjectNode) objects.get(random.nextInt(objects.size()));
        String name = List.of("fuzzExtra", "id", "state", "__proto__", "constructor", "", "PAYLOAD", "payload ").get(random.nextInt(8));
        target.set(name, random.nextBoolean() ? NODES.textNode("extra") : NODES.numberNode(1));
        draft.mutation = "extra-field " + name;
        return true;
    }

    private boolean hugeString(Draft draft) {
        if (draft.body != null && random.nextInt(30) == 0) {
            byte[] filler = new byte[OVER_BODY_LIMIT];
            java.util.Arrays.fill(filler, (byte) 'x');
            byte[] head = "{\"payload\":\"".getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(head, 0, filler, 0, head.length);
            filler[filler.length - 2] = '"';
            filler[filler.length - 1] = '}';
            draft.rawBody = filler;
            draft.mutation = "body over 8 MiB";
            draft.rejectedBecause("body over the 8 MiB limit");
            return true;
        }
        String huge = "h".repeat(HUGE[random.nextInt(HUGE.length)]);
        if (draft.body != null && !slots(draft.body).isEmpty()) {
            List<Slot> slots = slots(draft.body);
            List<Slot> strings = slots.stream().filter(s -> s.get().isTextual()).toList();
            Slot slot = (strings.isEmpty() ? slots : strings).get(random.nextInt((strings.isEmpty() ? slots : strings).size()));
            slot.set(NODES.textNode(huge));
            draft.mutation = "huge-string " + huge.length();
            return true;
        }
        if (!draft.path.isEmpty()) {
            String name = pickKey(draft.path);
            draft.path.put(name, huge.substring(0, Math.min(huge.length(), 4_097)));
            draft.mutation = "huge path " + name;
            return true;
        }
        return false;
    }

    private boolean oddUnicode(Draft draft) {
        String odd = ODD.get(random.nextInt(ODD.size())) + (random.nextBoolean() ? "" : "x");
        draft.escapeNonAscii = random.nextBoolean() || odd.chars().anyMatch(c -> Character.isSurrogate((char) c));
        int where = random.nextInt(3);
        if (where == 0 && !draft.path.isEmpty()) {
            String name = pickKey(draft.path);
            if (odd.isEmpty() || odd.equals("..") || odd.equals(".")) {
                return false; // an empty or dot segment is another route, not an odd parameter
            }
            draft.path.put(name, odd);
            draft.mutation = "odd-unicode path " + name;
            return true;
        }
        if (where == 1 && !draft.operation.in("query").isEmpty()) {
            var parameter = draft.operation.in("query").get(random.nextInt(draft.operation.in("query").size()));
            draft.query.removeIf(e -> e.getKey().equals(parameter.name()));
            draft.query.add(Map.entry(parameter.name(), odd));
            draft.mutation = "odd-unicode query " + parameter.name();
            return true;
        }
        if (draft.body == null) {
            return false;
        }
        List<Slot> slots = slots(draft.body);
        if (slots.isEmpty()) {
            return false;
        }
        List<Slot> strings = slots.stream().filter(s -> s.get().isTextual()).toList();
        List<Slot> from = strings.isEmpty() ? slots : strings;
        Slot slot = from.get(random.nextInt(from.size()));
        if (slot.field() != null && random.nextInt(4) == 0) { // an odd key instead of an odd value
            ObjectNode parent = (ObjectNode) slot.parent();
            parent.set(odd, parent.remove(slot.field()));
            draft.mutation = "odd-unicode key";
        } else {
            slot.set(NODES.textNode(odd));
            draft.mutation = "odd-unicode value";
        }
        return true;
    }

    // ---------------------------------------------------------------- path, query, headers

    private boolean badPathId(Draft draft) {
        if (draft.path.isEmpty()) {
            return false;
        }
        String name = pickKey(draft.path);
        if (random.nextInt(3) == 0) {
            draft.path.remove(name);
            draft.encodedPath.put(name, ENCODED_IDS.get(random.nextInt(ENCODED_IDS.size())));
        } else {
            draft.path.put(name, BAD_IDS.get(random.nextInt(BAD_IDS.size())));
        }
        draft.mutation = "bad-path " + name;
        return true;
    }

    private boolean badQuery(Draft draft) {
        List<Operation.Parameter> parameters = draft.operation.in("query");
        if (parameters.isEmpty() || random.nextInt(5) == 0) {
            draft.query.add(Map.entry(random.nextBoolean() ? "fuzz" : "limit", random.nextBoolean() ? "1" : "x"));
            draft.mutation = "extra-query";
            return true;
        }
        Operation.Parameter parameter = parameters.get(random.nextInt(parameters.size()));
        String value = List.of("abc", "-1", "0", "1.5", "1e309", "NaN", "", "9223372036854775808", "true", "yesterday",
                "2026-13-45T99:99:99Z", "h".repeat(5_000), "31", "30.0001", "501", "201").get(random.nextInt(16));
        if (random.nextInt(4) != 0) {
            draft.query.removeIf(e -> e.getKey().equals(parameter.name()));
        }
        draft.query.add(Map.entry(parameter.name(), value));
        draft.mutation = "bad-query " + parameter.name();
        return true;
    }

    private boolean badAuth(Draft draft) {
        if (draft.operation.open()) {
            return false;
        }
        switch (random.nextInt(4)) {
            case 0 -> {
                draft.token = null;
                draft.rejectedBecause("no token");
            }
            case 1 -> {
                draft.token = "not-a-token";
                draft.rejectedBecause("unknown token");
            }
            case 2 -> {
                draft.token = draft.token + "x";
                draft.rejectedBecause("unknown token");
            }
            default -> {
                draft.token = weakToken;
                if (!draft.operation.scope().contains("<each ")) { // a batch settle refuses entry by entry, inside its 200
                    draft.rejectedBecause("token lacks the scope");
                }
            }
        }
        draft.mutation = "bad-auth";
        return true;
    }

    // ---------------------------------------------------------------- whole bodies

    private boolean malformedJson(Draft draft) {
        if (draft.operation.bodySchema() == null) {
            return false;
        }
        if (random.nextInt(6) == 0) {
            int depth = 600 + random.nextInt(3000);
            draft.rawBody = ("{\"payload\":" + "[".repeat(depth) + "]".repeat(depth) + "}").getBytes(StandardCharsets.US_ASCII);
            draft.mutation = "deep-nesting " + depth;
            return true;
        }
        if (random.nextInt(6) == 0) { // not UTF-8: a lone continuation byte, a truncated sequence, an overlong slash
            byte[][] invalid = {{(byte) 0x80}, {(byte) 0xC3}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xFF}};
            byte[] bad = invalid[random.nextInt(invalid.length)];
            byte[] head = "{\"payload\":\"".getBytes(StandardCharsets.US_ASCII);
            byte[] body = new byte[head.length + bad.length + 2];
            System.arraycopy(head, 0, body, 0, head.length);
            System.arraycopy(bad, 0, body, head.length, bad.length);
            body[body.length - 2] = '"';
            body[body.length - 1] = '}';
            draft.rawBody = body;
            draft.mutation = "invalid-utf8";
            draft.rejectedBecause("not UTF-8");
            return true;
        }
        String text = MALFORMED.get(random.nextInt(MALFORMED.size()));
        draft.rawBody = text.getBytes(StandardCharsets.UTF_8);
        draft.mutation = "malformed-json";
        draft.rejectedBecause("malformed JSON");
        return true;
    }

    private boolean wrongContentType(Draft draft) {
        if (draft.body == null && draft.rawBody == null) {
            return false;
        }
        draft.contentType = CONTENT_TYPES.get(random.nextInt(CONTENT_TYPES.size()));
        draft.mutation = "content-type " + draft.contentType;
        if (draft.operation.bodySchema() != null) {
            draft.rejectedBecause("content type is not application/json");
        }
        return true;
    }

    private boolean emptyBody(Draft draft) {
        if (draft.operation.bodySchema() == null) {
            return false;
        }
        draft.body = null;
        draft.rawBody = random.nextBoolean() ? new byte[0] : null;
        draft.mutation = "empty-body";
        return true;
    }

    private boolean nonObjectBody(Draft draft) {
        if (draft.operation.bodySchema() == null) {
            return false;
        }
        draft.body = List.<JsonNode>of(NODES.nullNode(), NODES.arrayNode(), NODES.arrayNode().add(NODES.objectNode()), NODES.numberNode(42),
                NODES.textNode("{}"), NODES.booleanNode(false)).get(random.nextInt(6));
        draft.mutation = "non-object-body " + draft.body;
        return true;
    }

    /** A body for an operation that documents none; the contract says a body on a GET or DELETE is a 400. */
    private boolean unexpectedBody(Draft draft) {
        if (draft.operation.bodySchema() != null) {
            return false;
        }
        draft.body = NODES.objectNode().put("payload", 1);
        draft.mutation = "unexpected-body";
        boolean api = draft.operation.path().startsWith("/api/");
        if (api && (draft.operation.method().equals("GET") || draft.operation.method().equals("DELETE"))) {
            draft.rejectedBecause("a body on a " + draft.operation.method());
        }
        return true;
    }

    private String pickKey(Map<String, String> map) {
        List<String> keys = new ArrayList<>(map.keySet());
        return keys.get(random.nextInt(keys.size()));
    }
}
