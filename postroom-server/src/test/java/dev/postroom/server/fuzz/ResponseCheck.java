package dev.postroom.server.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks one answer against the contract: never 5xx; a status the operation documents (its
 * {@code default} response is for 5xx, not a catch-all for 4xx); a content type it documents for
 * that status; a body valid against the documented schema (none where none is documented); a
 * problem's {@code status} equal to the answer's; and no success for a request the contract forbids.
 */
final class ResponseCheck {
    private final Contract contract;
    private final ObjectMapper json;

    ResponseCheck(Contract contract, ObjectMapper json) {
        this.contract = contract;
        this.json = json;
    }

    /** An answer: its status, Content-Type (or "") and body (empty for an event stream, which is not read). */
    record Answer(int status, String contentType, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String mediaType() {
            int semicolon = contentType.indexOf(';');
            return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        }
    }

    /** What is wrong with {@code answer} to {@code draft}; empty when nothing is. */
    List<String> problems(Draft draft, Answer answer) {
        List<String> problems = new ArrayList<>();
        int status = answer.status();
        if (status >= 500) {
            problems.add("server error " + status);
        }
        if (draft.contractRejects != null && status >= 200 && status < 300) {
            problems.add("success " + status + " for a request the contract forbids (" + draft.contractRejects + ")");
        }
        var documented = draft.operation.response(status);
        if (documented.isEmpty()) {
            problems.add("undocumented status " + status);
            return problems;
        }
        var content = documented.get().content();
        if (content.isEmpty()) {
            if (answer.body().length > 0) {
                problems.add("a body where the contract documents none for " + status);
            }
            return problems;
        }
        String media = answer.mediaType();
        JsonNode schema = content.get(media);
        if (schema == null) {
            problems.add("content type \"" + answer.contentType() + "\" not documented for " + status + " (documented: " + content.keySet() + ")");
            return problems;
        }
        if (media.equals("application/json") || media.endsWith("+json")) {
            JsonNode body;
            try {
                body = json.readTree(answer.body());
            } catch (IOException e) {
                problems.add("body is not JSON");
                return problems;
            }
            if (body == null) {
                problems.add("body is empty");
                return problems;
            }
            List<Error> errors = contract.validator(schema).validate(body);
            if (!errors.isEmpty()) {
                problems.add("body does not match " + schema.path("$ref").asText("its schema") + ": "
                        + errors.stream().limit(3).map(Error::toString).toList());
            }
            if (media.equals("application/problem+json") && body.path("status").asInt() != status) {
                problems.add("problem's status " + body.path("status") + " is not the answer's " + status);
            }
        }
        return problems;
    }
}
