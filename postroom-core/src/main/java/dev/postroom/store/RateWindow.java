package dev.postroom.store;

import dev.postroom.RateLimit;

/**
 * For store implementations: the state of one {@link RateLimit} (a queue's, or one key's), as a
 * sliding-window counter. Time is cut into windows of the limit's length, aligned to the epoch;
 * the state is the current window's start and how many were handed out in it and in the window
 * before. At time {@code t} the count is {@code previous × (1 − elapsed/per) + current}, and a
 * message may go while that count is below the limit's {@code count}: so no window hands out more
 * than {@code count}, and a busy queue hands out {@code count} in each (the previous window's share
 * fading out as the current one fills). Three numbers, so a
 * store shared by many nodes keeps them in a row every claim updates; exact integer arithmetic, so
 * every node computes the same answer. Immutable.
 *
 * @param start    the start of the current window, epoch milliseconds
 * @param previous how many were handed out in the window before it
 * @param current  how many were handed out in it so far
 */
public record RateWindow(long start, int previous, int current) {
    /** Nothing handed out yet. */
    public static final RateWindow EMPTY = new RateWindow(0, 0, 0);

    /** This state moved on to the window that holds {@code now} (epoch milliseconds). */
    public RateWindow at(RateLimit limit, long now) {
        long per = limit.per().toMillis();
        long windowStart = Math.floorDiv(now, per) * per;
        if (windowStart <= start) {
            return this; // also a clock that stepped back a little: stay in the window already counted
        }
        return windowStart == start + per ? new RateWindow(windowStart, current, 0) : new RateWindow(windowStart, 0, 0);
    }

    /** How many messages may be handed out at {@code now}. */
    public int available(RateLimit limit, long now) {
        RateWindow w = at(limit, now);
        long per = limit.per().toMillis();
        long elapsed = Math.min(per, Math.max(0, now - w.start));
        // count − used, scaled by per so that it stays in whole numbers. Each message may go while
        // the count before it is below the limit, so n may go when used + n − 1 < count: n = ⌈room⌉.
        long room = (long) limit.count() * per - (long) w.previous * (per - elapsed) - (long) w.current * per;
        return room <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, Math.ceilDiv(room, per));
    }

    /** This state after handing out {@code n} messages at {@code now} (the caller asked {@link #available} first). */
    public RateWindow take(RateLimit limit, long now, int n) {
        RateWindow w = at(limit, now);
        return n == 0 ? w : new RateWindow(w.start, w.previous, w.current + n);
    }

    /** The earliest time, at or after {@code now}, when {@link #available} is at least one. */
    public long nextAvailableAt(RateLimit limit, long now) {
        RateWindow w = at(limit, now);
        long per = limit.per().toMillis();
        long inThis = earliest(limit.count(), per, w.previous, w.current);
        if (inThis >= 0) {
            return Math.max(now, w.start + inThis);
        }
        long inNext = earliest(limit.count(), per, w.current, 0);
        return inNext >= 0 ? w.start + per + inNext : w.start + 2 * per;
    }

    /**
     * The least elapsed time {@code e} in a window (0 ≤ e < per, whole milliseconds) at which {@code
     * previous × (per − e) + current × per < count × per}, or −1 when there is none in the window.
     */
    private static long earliest(int count, long per, int previous, int current) {
        long spare = (long) (count - current) * per;
        if (spare <= 0) {
            return -1;
        }
        if (previous == 0) {
            return 0;
        }
        long e = per - Math.ceilDiv(spare, previous) + 1;
        return e < 0 ? 0 : e < per ? e : -1;
    }
}
