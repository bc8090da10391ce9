package dev.postroom.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** An RFC 9457 problem document: never a stack trace, never HTML. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, List<FieldError> errors, String existingId) {
    /** A problem that names no existing message. */
    public Problem(String type, String title, int status, String detail, List<FieldError> errors) {
        this(type, title, status, detail, errors, null);
    }

    /** One field at fault. */
    public record FieldError(String field, String message) {
    }

    static String typeFor(int status) {
        return "https://postroom.dev/problems/" + status;
    }
}
