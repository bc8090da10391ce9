package dev.postroom;

/** A payload (or a batch) is over its configured size limit; nothing was written. */
public class MessageTooLargeException extends InvalidMessageException {
    private final long size;
    private final long limit;

    public MessageTooLargeException(String field, long size, long limit) {
        super(field, "is " + size + " bytes, over the limit of " + limit + " bytes");
        this.size = size;
        this.limit = limit;
    }

    /** The rejected size in bytes (or items, for a batch). */
    public long size() {
        return size;
    }

    /** The configured limit it exceeded. */
    public long limit() {
        return limit;
    }
}
