package dev.postroom.server.http;

import java.util.List;

/**
 * An HTTP error thrown from a route and rendered as problem+json by {@link Problems}: 400 for a
 * malformed body, 401/403 for access, 404, 409, 413, 422.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final String title;
    private final List<Problem.FieldError> errors;

    public ApiException(int status, String title, String detail, List<Problem.FieldError> errors) {
        super(detail);
        this.status = status;
        this.title = title;
        this.errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public static ApiException badRequest(String field, String message) {
        return new ApiException(400, "Malformed request", field + ": " + message, List.of(new Problem.FieldError(field, message)));
    }

    public static ApiException unauthorized(String detail) {
        return new ApiException(401, "Unauthorized", detail, null);
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(403, "Forbidden", detail, null);
    }

    public static ApiException conflict(String field, String message) {
        return new ApiException(409, "Conflict", field + ": " + message, List.of(new Problem.FieldError(field, message)));
    }

    public static ApiException notFound(String detail) {
        return new ApiException(404, "Not found", detail, null);
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public List<Problem.FieldError> errors() {
        return errors;
    }
}
