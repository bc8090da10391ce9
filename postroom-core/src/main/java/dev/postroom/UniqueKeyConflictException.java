package dev.postroom;

/**
 * A send with a {@linkplain SendOptions#uniqueKey unique key} was refused: a message of the queue
 * with that key is still unfinished. Nothing of the send (or of its batch) was stored.
 */
public class UniqueKeyConflictException extends PostroomException {
    private final String queue;
    private final String key;
    private final String existingId;

    public UniqueKeyConflictException(String queue, String key, String existingId) {
        super("queue " + queue + " has an unfinished message with unique key " + key + ": " + existingId);
        this.queue = queue;
        this.key = key;
        this.existingId = existingId;
    }

    public String queue() {
        return queue;
    }

    public String key() {
        return key;
    }

    /** The unfinished message that holds the key. */
    public String existingId() {
        return existingId;
    }
}
