package dev.postroom.store.postgres;

import dev.postroom.store.MessageIds;

import java.util.UUID;

/**
 * Message sequences ({@link MessageIds#sequenceOf}) as bounds on the uuid key. The sequence is the
 * leading bits of the id after the version nibble (millisecond, then counter), and uuid compares
 * bytewise, so {@code id < lowest(s)} holds exactly when the id's sequence is below {@code s}.
 */
final class IdBounds {
    private IdBounds() {
    }

    /** The smallest id whose sequence is {@code sequence}: the id layout with a zero random tail. */
    static UUID lowest(long sequence) {
        long millis = sequence >>> 21;
        long counter = sequence & ((1L << 21) - 1);
        long msb = (millis << 16) | 0x7000L | (counter >>> 9);
        long lsb = 0x8000_0000_0000_0000L | ((counter & 0x1FF) << 53);
        return new UUID(msb, lsb);
    }

    /** The id as a uuid, or null when it is not a message id (so it names no message). */
    static UUID parse(String id) {
        return MessageIds.isValid(id) ? UUID.fromString(id) : null;
    }
}
