package dev.postroom;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.List;

/**
 * Masks a queue's {@linkplain QueuePolicy#sensitiveFields sensitive fields} in payloads shown to
 * those who may only read them: each value a JSON Pointer finds becomes {@value #MASK}. A pointer
 * that finds nothing changes nothing; a payload that is not an object or array is left as it is. The
 * stored message is never changed: masking happens where a payload is shown.
 */
public final class Redaction {
    /** What a masked value reads. */
    public static final String MASK = "***";
    /** At most this many sensitive fields per queue. */
    public static final int MAX_FIELDS = 50;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Redaction() {
    }

    /** {@code json} with the values at {@code pointers} masked; {@code json} itself when none is found or it cannot be read. */
    public static String mask(String json, List<String> pointers) {
        if (json == null || pointers.isEmpty()) {
            return json;
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return json;
        }
        boolean masked = false;
        for (String pointer : pointers) {
            masked |= maskAt(tree, JsonPointer.compile(pointer));
        }
        if (!masked) {
            return json;
        }
        try {
            return JSON.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed payload cannot be written back", e);
        }
    }

    private static boolean maskAt(JsonNode root, JsonPointer pointer) {
        JsonNode parent = root.at(pointer.head());
        String last = pointer.last().getMatchingProperty();
        if (parent instanceof ObjectNode object && object.has(last)) {
            object.set(last, TextNode.valueOf(MASK));
            return true;
        }
        if (parent instanceof ArrayNode array && pointer.last().mayMatchElement()) {
            int index = pointer.last().getMatchingIndex();
            if (index >= 0 && index < array.size()) {
                array.set(index, TextNode.valueOf(MASK));
                return true;
            }
        }
        return false;
    }

    /** What a preview reads when it is cut short and its sensitive fields cannot be found in it. */
    public static final String HIDDEN_PREVIEW = "(sensitive fields: open the message)";

    /**
     * A payload preview (its first characters) with the sensitive fields masked: the preview masked
     * when it holds the whole payload, else {@link #HIDDEN_PREVIEW}, since a cut payload cannot be
     * searched for the fields reliably.
     */
    public static String maskPreview(String preview, List<String> pointers) {
        if (preview == null || pointers.isEmpty()) {
            return preview;
        }
        try {
            JSON.readTree(preview);
        } catch (JsonProcessingException e) {
            return HIDDEN_PREVIEW;
        }
        return mask(preview, pointers);
    }

    /**
     * The summaries with their previews masked by their queue's fields ({@code fieldsOf}, read once
     * per queue): for whoever may only read them.
     */
    public static List<MessageSummary> maskSummaries(List<MessageSummary> summaries, java.util.function.Function<String, List<String>> fieldsOf) {
        java.util.Map<String, List<String>> byQueue = new java.util.HashMap<>();
        return summaries.stream().map(s -> s.masked(byQueue.computeIfAbsent(s.queue(), fieldsOf))).toList();
    }

    /**
     * The summaries a free-text search found that a masked reader may know of: those whose match
     * is still there once the sensitive fields are masked. Without this a reader could learn a
     * hidden value by searching for it ("does any message hold card 4111…?").
     *
     * @param text    the search text, matched case-insensitively in the payload and headers as the stores do
     * @param fieldsOf a queue's sensitive fields, read once per queue
     * @param get     the whole message of a summary (live or archived)
     */
    public static List<MessageSummary> visibleMatches(List<MessageSummary> summaries, String text,
                                                      java.util.function.Function<String, List<String>> fieldsOf,
                                                      java.util.function.Function<String, java.util.Optional<Message>> get) {
        java.util.Map<String, List<String>> byQueue = new java.util.HashMap<>();
        String needle = text.toLowerCase(java.util.Locale.ROOT);
        return summaries.stream().filter(s -> {
            List<String> fields = byQueue.computeIfAbsent(s.queue(), fieldsOf);
            return fields.isEmpty() || get.apply(s.id()).map(m -> {
                Message masked = m.masked(fields);
                return masked.payloadJson().toLowerCase(java.util.Locale.ROOT).contains(needle)
                        || masked.headers().toString().toLowerCase(java.util.Locale.ROOT).contains(needle);
            }).orElse(false);
        }).toList();
    }

    /**
     * Checks a policy's pointers.
     *
     * @throws InvalidMessageException naming {@code sensitiveFields[i]} for one that is not a JSON
     *                                 Pointer to a field, or when there are too many
     */
    public static void validate(List<String> pointers) {
        if (pointers.size() > MAX_FIELDS) {
            throw new InvalidMessageException("sensitiveFields", "at most " + MAX_FIELDS + " entries, was " + pointers.size());
        }
        for (int i = 0; i < pointers.size(); i++) {
            String pointer = pointers.get(i);
            String field = "sensitiveFields[" + i + "]";
            if (pointer == null || pointer.isEmpty() || pointer.charAt(0) != '/' || pointer.length() > 256) {
                throw new InvalidMessageException(field, "must be a JSON Pointer to a field, such as /card/number (1–256 characters)");
            }
            try {
                JsonPointer.compile(pointer);
            } catch (IllegalArgumentException e) {
                throw new InvalidMessageException(field, "is not a JSON Pointer: " + e.getMessage());
            }
        }
    }
}
