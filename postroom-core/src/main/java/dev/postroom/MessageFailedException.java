package dev.postroom;

/**
 * A message awaited with {@link Postroom#request} or {@link Postroom#awaitResult} ended without a
 * result: {@link MessageState#DEAD} (its attempts were exhausted, or its TTL passed before it was
 * delivered) or {@link MessageState#CANCELLED}.
 */
public class MessageFailedException extends PostroomException {
    private final String id;
    private final MessageState state;
    private final AttemptError lastError;

    /**
     * @param lastError the last failed attempt's error, or null when no attempt failed
     */
    public MessageFailedException(String id, MessageState state, AttemptError lastError) {
        super("message " + id + " is " + state + (lastError == null ? "" : ": " + lastError.message()));
        this.id = id;
        this.state = state;
        this.lastError = lastError;
    }

    /** The message id. */
    public String id() {
        return id;
    }

    /** The final state it reached: DEAD or CANCELLED. */
    public MessageState state() {
        return state;
    }

    /**
     * The last failed attempt's error ({@code expired} for a TTL that passed), or null when no
     * attempt failed, as for a message cancelled before its first delivery.
     */
    public AttemptError lastError() {
        return lastError;
    }
}
