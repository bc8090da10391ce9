package dev.postroom;

/** The named queue does not exist; create it with {@link Postroom#createQueue}. */
public class QueueNotFoundException extends PostroomException {
    private final String queue;

    public QueueNotFoundException(String queue) {
        super("queue not found: " + queue);
        this.queue = queue;
    }

    public String queue() {
        return queue;
    }
}
