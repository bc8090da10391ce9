package dev.postroom;

/** A payload (or a batch) is over its configured size limit; nothing was written. */
public class MessageTooLargeException extends InvalidMessageException {
    private final long size;
    private final long limit;

    public MessageTooLargeException(String field, long size, long limit) {
        this(field, size, limit, "bytes");
    }

    /** @param unit what {@code size} and {@code limit} count, e.g. {@code bytes} or {@code messages} */
    public MessageTooLargeException(String field, long size, long limit, String unit) {
        super(field, "is " + size + " " + unit + ", over the limit of " + limit + " " + unit);
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
