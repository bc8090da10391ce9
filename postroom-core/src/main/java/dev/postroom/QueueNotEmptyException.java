package dev.postroom;


/** A queue still holds unfinished messages and deletion was not forced. */
public class QueueNotEmptyException extends PostroomException {
    public QueueNotEmptyException(String queue, long unfinished) {
        super("queue " + queue + " still holds " + unfinished + " unfinished messages; delete with force to drop them");
    }
}
