package dev.postroom.store;

import dev.postroom.InvalidMessageException;
import dev.postroom.MessageQuery;

import java.nio.ByteBuffer;
import java.util.Base64;

/**
 * The paging cursor of {@link MessageStore#browse}: an opaque string to callers, a position in id
 * order to stores. A page's {@code next} encodes the message sequence ({@code MessageIds.sequenceOf})
 * of the last row the store examined; the next page lists only messages with a smaller sequence.
 * Because the position is a key, not an offset, messages sent or deleted between pages do not shift
 * it. The format (a version byte and the sequence, base64url) is the same for every store, so the
 * engine can reject a malformed cursor before any store sees it.
 */
public final class BrowseCursor {
    private static final byte VERSION = 1;
    private static final byte ID_VERSION = 2;
    private static final int BYTES = 1 + Long.BYTES;

    private BrowseCursor() {
    }

    /** The cursor meaning "continue with sequences below {@code sequence}". */
    public static String encode(long sequence) {
        if (sequence <= 0) {
            throw new IllegalArgumentException("not a message sequence: " + sequence);
        }
        ByteBuffer bytes = ByteBuffer.allocate(BYTES).put(VERSION).putLong(sequence);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    /**
     * The sequence a cursor continues below.
     *
     * @throws InvalidMessageException for {@code after} when {@code cursor} was not made by {@link #encode}
     */
    public static long decode(String cursor) {
        java.util.Optional<String> exact = exactId(cursor);
        if (exact.isPresent()) {
            return MessageIds.sequenceOf(exact.get());
        }
        if (cursor != null && cursor.length() <= 16) {
            try {
                byte[] bytes = Base64.getUrlDecoder().decode(cursor);
                if (bytes.length == BYTES && bytes[0] == VERSION) {
                    long sequence = ByteBuffer.wrap(bytes, 1, Long.BYTES).getLong();
                    if (sequence > 0) {
                        return sequence;
                    }
                }
            } catch (IllegalArgumentException e) {
                // not base64url: named below
            }
        }
        throw new InvalidMessageException("after", "is not a cursor returned as next by a previous page");
    }

    /**
     * The cursor meaning "continue with ids below {@code id}", exactly: for a walk keyed by the id
     * itself (the archive), where two ids of one sequence (two nodes, one millisecond) must not
     * share a page boundary.
     */
    public static String encodeId(String id) {
        java.util.UUID uuid = java.util.UUID.fromString(id);
        ByteBuffer bytes = ByteBuffer.allocate(1 + 16).put(ID_VERSION).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    /** The id an {@link #encodeId} cursor continues below; empty for any other text. */
    public static java.util.Optional<String> exactId(String cursor) {
        if (cursor == null || cursor.length() != 23) {
            return java.util.Optional.empty();
        }
        try {
            byte[] bytes = Base64.getUrlDecoder().decode(cursor);
            if (bytes.length == 17 && bytes[0] == ID_VERSION) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes, 1, 16);
                String id = new java.util.UUID(buffer.getLong(), buffer.getLong()).toString();
                return MessageIds.isValid(id) ? java.util.Optional.of(id) : java.util.Optional.empty();
            }
        } catch (IllegalArgumentException e) {
            // not base64url: not such a cursor
        }
        return java.util.Optional.empty();
    }

    /**
     * The message sequences a page of {@code query} may come from: below its cursor and its
     * {@code until}, at or above its {@code since}.
     */
    public static Range range(MessageQuery query) {
        long upper = query.after() == null ? Long.MAX_VALUE : decode(query.after());
        if (query.until() != null) {
            upper = Math.min(upper, MessageIds.firstSequenceAt(query.until()));
        }
        long lower = query.since() == null ? 0 : MessageIds.firstSequenceAt(query.since());
        return new Range(lower, upper);
    }

    /** Sequences from {@code lower} (inclusive) to {@code upper} (exclusive). */
    public record Range(long lower, long upper) {
        /** Whether no sequence is in the range, so the page is empty without a read. */
        public boolean isEmpty() {
            return lower >= upper;
        }
    }
}
