package dev.postroom;

/** Base of every exception Postroom throws on purpose; all are unchecked. */
public class PostroomException extends RuntimeException {
    public PostroomException(String message) {
        super(message);
    }

    public PostroomException(String message, Throwable cause) {
        super(message, cause);
    }
}
