package dev.postroom.server.activity;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A ring of fixed-width time periods, each holding the counters of one period: sent, acked,
 * failed, dead and a {@link LatencyBuckets} histogram ({@link #CELLS} ints). A slot is reused for
 * the period one ring-length later; the first writer of the new period clears it, so an old
 * period's counts never add to a new one's.
 *
 * <p>Lock-free: a write is one or two atomic reads and one atomic increment. The writer that
 * moves a slot to a new period marks it {@code CLEARING} with a CAS and zeroes it; writers of
 * the same period spin for those few dozen stores. A reader checks the slot's period before and
 * after copying it, and ignores a slot that moved meanwhile. Tolerated: a writer that read the
 * period just before the slot moved on would count into the next use of the slot, which is a
 * full ring later (an hour or a day), so it cannot happen to a thread that is not stalled that long.
 */
final class Ring {
    static final int SENT = 0;
    static final int ACKED = 1;
    static final int FAILED = 2;
    static final int DEAD = 3;
    /** Where the latency histogram starts within a period's cells. */
    static final int LATENCY = 4;
    /** Ints per period: four counters and the histogram; 68 ints, 272 bytes. */
    static final int CELLS = LATENCY + LatencyBuckets.COUNT;

    private static final long CLEARING = -1;
    private static final long EMPTY = Long.MIN_VALUE;

    private final long width;
    private final int slots;
    private final AtomicLongArray periods;
    private final AtomicIntegerArray cells;

    /** A ring of {@code slots} periods of {@code widthSeconds} each. */
    Ring(long widthSeconds, int slots) {
        this.width = widthSeconds;
        this.slots = slots;
        this.periods = new AtomicLongArray(slots);
        for (int i = 0; i < slots; i++) {
            periods.set(i, EMPTY);
        }
        this.cells = new AtomicIntegerArray(slots * CELLS);
    }

    long width() {
        return width;
    }

    /** Bytes this ring holds in its arrays. */
    long bytes() {
        return (long) slots * (Long.BYTES + (long) CELLS * Integer.BYTES);
    }

    /** Adds one to {@code cell} of the period holding {@code epochSecond}. */
    void increment(long epochSecond, int cell) {
        long period = Math.floorDiv(epochSecond, width);
        int slot = (int) Math.floorMod(period, (long) slots);
        if (hold(slot, period)) {
            cells.incrementAndGet(slot * CELLS + cell);
        }
    }

    /** Makes {@code slot} hold {@code period}, clearing what it held; false when it holds a later one. */
    private boolean hold(int slot, long period) {
        while (true) {
            long held = periods.get(slot);
            if (held == period) {
                return true;
            }
            if (held == CLEARING) {
                Thread.onSpinWait();
            } else if (held > period) {
                return false; // the clock stepped back a whole ring: too old to keep
            } else if (periods.compareAndSet(slot, held, CLEARING)) {
                int base = slot * CELLS;
                for (int i = 0; i < CELLS; i++) {
                    cells.set(base + i, 0);
                }
                periods.set(slot, period);
                return true;
            }
        }
    }

    /**
     * Adds the cells of the period starting at {@code epochSecond} (a multiple of the width) to
     * {@code into[0..CELLS)}; a period the ring no longer (or not yet) holds adds nothing.
     */
    void addTo(long epochSecond, long[] into, int[] scratch) {
        long period = Math.floorDiv(epochSecond, width);
        int slot = (int) Math.floorMod(period, (long) slots);
        if (periods.get(slot) != period) {
            return;
        }
        int base = slot * CELLS;
        for (int i = 0; i < CELLS; i++) {
            scratch[i] = cells.get(base + i);
        }
        if (periods.get(slot) != period) {
            return; // reused while we read
        }
        for (int i = 0; i < CELLS; i++) {
            into[i] += scratch[i];
        }
    }
}
