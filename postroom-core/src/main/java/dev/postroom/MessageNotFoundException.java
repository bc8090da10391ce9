package dev.postroom;

/** No message has this id (never sent, deleted, or purged by retention). */
public class MessageNotFoundException extends PostroomException {
    private final String id;

    public MessageNotFoundException(String id) {
        super("message not found: " + id);
        this.id = id;
    }

    public String id() {
        return id;
    }
}
