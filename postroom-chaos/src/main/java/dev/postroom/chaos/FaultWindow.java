package dev.postroom.chaos;

/**
 * When faults happen, as the load sees them: a counter that moves on at each fault, and whether one
 * is in progress. A delivery notes both when its receive starts, and its ack notes them again when
 * answered; an ack that failed is blamed on a fault only if one began or was in progress in between.
 * The window closes a short grace after every node is ready again, for requests that were already
 * on their way to a connection the fault broke.
 */
final class FaultWindow {
    private long epoch;
    private boolean open;

    /** A moment as the bookkeeping records it. */
    record Mark(long epoch, boolean open) {
    }

    synchronized Mark now() {
        return new Mark(epoch, open);
    }

    /** A fault is about to be injected. */
    synchronized void open() {
        epoch++;
        open = true;
    }

    /** Every node is ready again, and the grace has passed. */
    synchronized void close() {
        open = false;
    }

    /** True when a fault began or was in progress between {@code from} and {@code to}. */
    static boolean spans(Mark from, Mark to) {
        return from.open() || to.open() || from.epoch() != to.epoch();
    }
}
