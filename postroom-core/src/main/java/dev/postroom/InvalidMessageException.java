package dev.postroom;

/**
 * A send, option or policy was rejected before anything was written. {@link #field()} names the
 * offending field (for example {@code priority}, {@code queue}, {@code payload}, {@code lease}).
 */
public class InvalidMessageException extends PostroomException {
    private final String field;

    public InvalidMessageException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public InvalidMessageException(String field, String message, Throwable cause) {
        super(field + ": " + message, cause);
        this.field = field;
    }

    /**
     * The field at fault, by its Java name: a parameter or record component ({@code lease},
     * {@code waitFor}, {@code backoff.initial}), prefixed with its place in a list or a nested
     * option where it has one ({@code messages[3].delay}). The HTTP API maps these to its own names.
     */
    public String field() {
        return field;
    }
}
