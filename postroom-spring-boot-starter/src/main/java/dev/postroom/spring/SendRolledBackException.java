package dev.postroom.spring;

import dev.postroom.PostroomException;

/**
 * The transaction a {@link PostroomTemplate} send was made in rolled back, so the message was never
 * sent. Completes the send's future.
 */
public class SendRolledBackException extends PostroomException {
    public SendRolledBackException(String queue) {
        super("the transaction rolled back: nothing was sent to queue " + queue);
    }
}
