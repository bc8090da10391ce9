package dev.postroom.server.fuzz;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request being made for one operation: path parameters, query, headers, body and token, all
 * open to the {@link Mutator} before it is sent. {@link #contractRejects} records whether the
 * contract says the request is invalid, so that the server must not answer it with a success.
 */
final class Draft {
    final Operation operation;
    /** Path parameters as values; {@link #encodedPath} holds those already percent-encoded by a mutation. */
    final Map<String, String> path = new LinkedHashMap<>();
    final Map<String, String> encodedPath = new LinkedHashMap<>();
    final List<Map.Entry<String, String>> query = new ArrayList<>();
    final Map<String, String> headers = new LinkedHashMap<>();
    /** The JSON body, or null; {@link #rawBody} wins when set. */
    JsonNode body;
    byte[] rawBody;
    String contentType = "application/json";
    /** The bearer token, or null for none. */
    String token;
    /** Non-ASCII characters (lone surrogates too) are written as {@code \\uXXXX} escapes. */
    boolean escapeNonAscii;
    String mutation = "valid";
    String contractRejects;

    Draft(Operation operation) {
        this.operation = operation;
    }

    /** Notes that the contract forbids this request, and why (the first reason is kept). */
    void rejectedBecause(String reason) {
        if (contractRejects == null) {
            contractRejects = reason;
        }
    }

    /** The path with its parameters percent-encoded. */
    String target() {
        String target = operation.path();
        for (Map.Entry<String, String> p : path.entrySet()) {
            target = target.replace("{" + p.getKey() + "}", encode(p.getValue()));
        }
        for (Map.Entry<String, String> p : encodedPath.entrySet()) {
            target = target.replace("{" + p.getKey() + "}", p.getValue());
        }
        if (!query.isEmpty()) {
            StringBuilder q = new StringBuilder();
            for (Map.Entry<String, String> e : query) {
                q.append(q.isEmpty() ? "?" : "&").append(encode(e.getKey())).append('=').append(encode(e.getValue()));
            }
            target += q;
        }
        return target;
    }

    /** The body's bytes, or null for no body. */
    byte[] bytes(ObjectMapper json) {
        if (rawBody != null) {
            return rawBody;
        }
        if (body == null) {
            return null;
        }
        try {
            if (escapeNonAscii) {
                return json.writer().with(JsonGenerator.Feature.ESCAPE_NON_ASCII).writeValueAsString(body).getBytes(StandardCharsets.US_ASCII);
            }
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * RFC 3986 percent-encoding of UTF-8 bytes, all but the unreserved characters; a lone surrogate
     * becomes the three bytes a careless encoder would write, which are not UTF-8.
     */
    static String encode(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 128 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0)) {
                out.append(c);
                continue;
            }
            byte[] bytes;
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                bytes = value.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes = new byte[] {(byte) (0xE0 | (c >> 12)), (byte) (0x80 | ((c >> 6) & 0x3F)), (byte) (0x80 | (c & 0x3F))};
            } else {
                bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
            }
            for (byte b : bytes) {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
            }
        }
        return out.toString();
    }

    /** One line for a failure report: enough to see what was sent. */
    String describe(ObjectMapper json) {
        byte[] bytes = bytes(json);
        String bodyText = bytes == null ? "(no body)" : new String(bytes, 0, Math.min(bytes.length, 300), StandardCharsets.UTF_8)
                + (bytes.length > 300 ? "… (" + bytes.length + " bytes)" : "");
        return operation.method() + " " + abbreviate(target(), 200) + " [" + mutation + "] token=" + (token == null ? "none" : "…")
                + " content-type=" + contentType + " body=" + bodyText;
    }

    static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "… (" + text.length() + " chars)";
    }
}
