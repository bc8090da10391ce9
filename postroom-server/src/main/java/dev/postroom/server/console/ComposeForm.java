package dev.postroom.server.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.RawJson;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A payload and headers an operator typed: the payload must be one JSON value (a mistake is named
 * with its line and column), the headers a JSON object of strings, or nothing. Shared by every
 * console form that sends a message, so they all read input the same way.
 */
final class ComposeForm {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String payload;
    private final String headers;
    private RawJson payloadJson;
    private Map<String, String> headerMap = Map.of();
    private String problem;

    private ComposeForm(String payload, String headers) {
        this.payload = payload;
        this.headers = headers;
    }

    /** Reads and checks {@code payload} and {@code headers}; see {@link #problem()}. */
    static ComposeForm read(String payload, String headers) {
        ComposeForm form = new ComposeForm(payload == null ? "" : payload, headers == null ? "" : headers);
        form.check();
        return form;
    }

    private void check() {
        try {
            JsonNode tree = JSON.readTree(payload);
            if (tree == null || tree.isMissingNode()) {
                problem = "Payload: enter a JSON value, such as {\"order\": 42}.";
                return;
            }
            payloadJson = new RawJson(JSON.writeValueAsString(tree));
        } catch (JsonProcessingException e) {
            problem = "Payload is not valid JSON: " + e.getOriginalMessage() + " (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ").";
            return;
        }
        if (!headers.isBlank()) {
            try {
                headerMap = JSON.readValue(headers, new TypeReference<LinkedHashMap<String, String>>() {
                });
            } catch (JsonProcessingException e) {
                problem = "Headers must be a JSON object of strings, e.g. {\"tenant\": \"acme\"}"
                        + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")")
                        + ".";
            }
        }
    }

    /** What is wrong with the input, as a sentence for the form, or null when it can be sent. */
    String problem() {
        return problem;
    }

    /** The payload, compact, once {@link #problem()} is null. */
    RawJson payloadJson() {
        return payloadJson;
    }

    /** The headers, in the order typed, once {@link #problem()} is null. */
    Map<String, String> headers() {
        return headerMap;
    }

    /** The payload as typed, for showing the form again. */
    String payloadText() {
        return payload;
    }

    /** The headers as typed, for showing the form again. */
    String headersText() {
        return headers;
    }
}
