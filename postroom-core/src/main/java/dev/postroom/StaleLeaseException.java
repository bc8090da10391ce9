package dev.postroom;

/**
 * An ack, nack, extend or progress report named a lease that is no longer the message's current
 * lease: it expired and the message was handed to someone else, the message was cancelled, or the
 * lease id is wrong. The caller must not assume its outcome was recorded.
 */
public class StaleLeaseException extends PostroomException {
    private final String messageId;

    public StaleLeaseException(String messageId, String leaseId) {
        super("lease " + leaseId + " is not the current lease of message " + messageId);
        this.messageId = messageId;
    }

    public String messageId() {
        return messageId;
    }
}
