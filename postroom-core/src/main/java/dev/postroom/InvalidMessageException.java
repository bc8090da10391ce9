package dev.postroom;

/**
 * A send, option or policy was rejected before anything was written. {@link #field()} names the
 * offending field (for example {@code priority}, {@code queue}, {@code payload}).
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

    /** The name of the field at fault, as used in the HTTP API. */
    public String field() {
        return field;
    }
}
