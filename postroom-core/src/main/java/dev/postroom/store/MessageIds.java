package dev.postroom.store;

import java.time.Instant;
import java.time.InstantSource;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Generates time-sortable UUIDv7 message ids that also encode a strictly increasing 63-bit
 * sequence number ({@link #sequenceOf}). The sequence lets the embedded store use the id as its
 * integer row key, so a send updates one B-tree fewer than a text key would.
 *
 * <p>Layout: the 48-bit millisecond timestamp of UUIDv7, then a 21-bit per-millisecond counter
 * spread over {@code rand_a} (12 bits) and the top of {@code rand_b} (9 bits), then 53 random
 * bits. The sequence is {@code millis << 21 | counter}: unique and increasing within one generator,
 * and the generator never goes below the last id the store holds ({@link #advancePast}).
 */
public final class MessageIds {
    private static final int COUNTER_BITS = 21;
    private static final long COUNTER_MASK = (1L << COUNTER_BITS) - 1;

    private final InstantSource clock;
    private long lastMillis;
    private long counter;

    public MessageIds(InstantSource clock) {
        this.clock = clock;
    }

    /** The next id. Thread-safe. */
    public synchronized String next() {
        long now = clock.millis();
        if (now > lastMillis) {
            lastMillis = now;
            counter = 0;
        } else if (++counter > COUNTER_MASK) {
            lastMillis++;
            counter = 0;
        }
        return format(lastMillis, counter);
    }

    /** Makes every later id sort after {@code id} (an id already stored, e.g. before a restart). */
    public synchronized void advancePast(String id) {
        long seq = sequenceOf(id);
        long millis = seq >>> COUNTER_BITS;
        long count = seq & COUNTER_MASK;
        if (millis > lastMillis || (millis == lastMillis && count >= counter)) {
            lastMillis = millis;
            counter = count;
        }
    }

    private static String format(long millis, long counter) {
        long msb = (millis << 16) | 0x7000L | (counter >>> 9);
        long random = ThreadLocalRandom.current().nextLong() & ((1L << 53) - 1);
        long lsb = 0x8000_0000_0000_0000L | ((counter & 0x1FF) << 53) | random;
        return new UUID(msb, lsb).toString();
    }

    /**
     * The sequence number encoded in an id made by this class.
     *
     * @throws IllegalArgumentException if {@code id} is not such an id
     */
    public static long sequenceOf(String id) {
        if (id == null || id.length() != 36) {
            throw new IllegalArgumentException("not a message id: " + id);
        }
        UUID uuid = UUID.fromString(id);
        if (uuid.version() != 7 || uuid.variant() != 2) {
            throw new IllegalArgumentException("not a message id: " + id);
        }
        long msb = uuid.getMostSignificantBits();
        long lsb = uuid.getLeastSignificantBits();
        long millis = msb >>> 16;
        long counter = ((msb & 0xFFF) << 9) | ((lsb >>> 53) & 0x1FF);
        return (millis << COUNTER_BITS) | counter;
    }

    /**
     * The smallest sequence of an id minted at or after {@code instant} (ids carry whole
     * milliseconds, so a fraction rounds up): {@code sequenceOf(id) >= firstSequenceAt(t)} exactly
     * when the id's time is not before {@code t}. Clamped to 0 before 1970 and to
     * {@link Long#MAX_VALUE} past the last representable millisecond.
     */
    public static long firstSequenceAt(Instant instant) {
        long maxMillis = Long.MAX_VALUE >>> COUNTER_BITS;
        if (instant.getEpochSecond() < 0) {
            return 0;
        }
        if (instant.getEpochSecond() >= maxMillis / 1000) {
            return Long.MAX_VALUE;
        }
        long millis = instant.getEpochSecond() * 1000 + (instant.getNano() + 999_999) / 1_000_000;
        return millis > maxMillis ? Long.MAX_VALUE : millis << COUNTER_BITS;
    }

    /**
     * The smallest id with {@code sequence}, as text: ids (lower-case UUIDs) compare as their
     * sequences do, so {@code id < lowestIdOf(s)} exactly when {@code sequenceOf(id) < s}.
     */
    public static String lowestIdOf(long sequence) {
        long millis = sequence >>> COUNTER_BITS;
        long counter = sequence & ((1L << COUNTER_BITS) - 1);
        long msb = (millis << 16) | 0x7000L | (counter >>> 9);
        long lsb = 0x8000_0000_0000_0000L | ((counter & 0x1FF) << 53);
        return new UUID(msb, lsb).toString();
    }

    /** Whether {@code id} is well-formed, without throwing. */
    public static boolean isValid(String id) {
        try {
            sequenceOf(id);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
