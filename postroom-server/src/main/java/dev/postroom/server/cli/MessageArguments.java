package dev.postroom.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The message arguments {@code send}, {@code topics publish} and {@code schedules put} share: a
 * payload given as JSON (or {@code -} for stdin), checked here so the user sees where it broke, and
 * the optional fields of a message as the API's request bodies name them.
 */
final class MessageArguments {
    /** Rejects {@code {"a":1}}} too: by default Jackson would quietly ignore what follows the first value. */
    static final ObjectReader STRICT = ApiClient.JSON.readerFor(JsonNode.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** The example an empty message payload is answered with. */
    static final String MESSAGE_EXAMPLE = "'{\"subject\":\"hi\"}' or '\"text\"'";

    private MessageArguments() {
    }

    /**
     * The payload argument as JSON; {@code -} reads it from {@code stdin}.
     *
     * @param example JSON shown to the user when the payload is empty, e.g. {@code '{"subject":"hi"}'}
     */
    static JsonNode payload(String payload, InputStream stdin, String example) {
        String text = payload;
        if ("-".equals(payload)) {
            try {
                text = new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new CliException("cannot read the payload from stdin: " + e.getMessage());
            }
        }
        try {
            JsonNode node = STRICT.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new CliException("payload is empty; give JSON, e.g. " + example);
            }
            return node;
        } catch (JsonProcessingException e) {
            // Checked here rather than by the server so the user sees where the JSON broke.
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw new CliException("payload is not valid JSON: " + e.getOriginalMessage().replaceAll("\\s+", " ") + where);
        }
    }

    /** Puts {@code headers} into {@code body} as its {@code headers} object, unless there are none. */
    static void putHeaders(ObjectNode body, Map<String, String> headers) {
        if (!headers.isEmpty()) {
            ObjectNode h = body.putObject("headers");
            headers.forEach(h::put);
        }
    }

    /** A send or publish request body: the payload, and each option that was given. */
    static ObjectNode message(JsonNode payload, Map<String, String> headers, BigDecimal delaySeconds, Integer priority,
                              String orderingKey, String idempotencyKey, BigDecimal ttlSeconds) {
        ObjectNode body = ApiClient.JSON.createObjectNode();
        body.set("payload", payload);
        putHeaders(body, headers);
        if (delaySeconds != null) {
            body.put("delaySeconds", delaySeconds);
        }
        if (priority != null) {
            body.put("priority", priority);
        }
        if (orderingKey != null) {
            body.put("orderingKey", orderingKey);
        }
        if (idempotencyKey != null) {
            body.put("idempotencyKey", idempotencyKey);
        }
        if (ttlSeconds != null) {
            body.put("ttlSeconds", ttlSeconds);
        }
        return body;
    }
}
