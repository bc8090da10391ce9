package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * An error answer from the server, read from its {@code application/problem+json} body (RFC 9457:
 * {@code type, title, status, detail, errors:[{field, message}]}) and reduced to one line. Bodies
 * that are not problem documents (a proxy's HTML page, an empty 502) still give a line, built from
 * the status code, because the user needs a reason whatever sits between them and the server.
 */
record Problem(int status, String title, String detail, List<FieldError> errors) {
    /** Longer lines are cut: the reason must fit a terminal line, not reproduce a whole page. */
    private static final int MAX_REASON = 300;

    /** One {@code {field, message}} entry of a validation problem. */
    record FieldError(String field, String message) {
        String describe() {
            return field == null || field.isBlank() ? message : field + ": " + message;
        }
    }

    /** Reads a problem from a response body; anything unreadable becomes a problem with only a status. */
    static Problem parse(int status, String body) {
        JsonNode node;
        try {
            node = body == null || body.isBlank() ? null : ApiClient.JSON.readTree(body);
        } catch (java.io.IOException notJson) {
            node = null;
        }
        if (node == null || !node.isObject()) {
            return new Problem(status, null, null, List.of());
        }
        List<FieldError> errors = new ArrayList<>();
        for (JsonNode error : node.path("errors")) {
            String message = text(error.get("message"));
            if (message != null) {
                errors.add(new FieldError(text(error.get("field")), message));
            }
        }
        return new Problem(status, text(node.get("title")), text(node.get("detail")), List.copyOf(errors));
    }

    /**
     * The line shown to the user: the status code, then the field errors if any (they say exactly
     * what to fix), else the detail (it names the thing, e.g. the queue), else the title, else a
     * generic phrase for the status.
     */
    String reason() {
        String text;
        if (!errors.isEmpty()) {
            text = String.join("; ", errors.stream().map(FieldError::describe).toList());
        } else if (detail != null && !detail.isBlank()) {
            text = detail;
        } else if (title != null && !title.isBlank()) {
            text = title;
        } else {
            text = phrase(status);
        }
        String line = status + " " + text.strip().replaceAll("\\s+", " ");
        return line.length() > MAX_REASON ? line.substring(0, MAX_REASON - 1) + "…" : line;
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.isValueNode() ? node.asText() : node.toString();
    }

    private static String phrase(int status) {
        return switch (status) {
            case 400 -> "bad request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not found";
            case 405 -> "method not allowed";
            case 409 -> "conflict";
            case 413 -> "payload too large";
            case 415 -> "unsupported media type";
            case 422 -> "invalid request";
            case 429 -> "too many requests";
            case 500 -> "internal server error";
            case 502 -> "bad gateway";
            case 503 -> "service unavailable";
            case 504 -> "gateway timeout";
            default -> status >= 500 ? "server error" : status >= 400 ? "request rejected" : "unexpected answer";
        };
    }
}
