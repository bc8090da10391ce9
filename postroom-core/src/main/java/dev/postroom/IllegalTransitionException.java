package dev.postroom;

/** The requested action is not allowed in the message's current state (e.g. retrying a READY message). */
public class IllegalTransitionException extends PostroomException {
    private final String messageId;
    private final MessageState state;

    public IllegalTransitionException(String messageId, MessageState state, String action) {
        super("cannot " + action + " message " + messageId + " in state " + state);
        this.messageId = messageId;
        this.state = state;
    }

    public String messageId() {
        return messageId;
    }

    public MessageState state() {
        return state;
    }
}
