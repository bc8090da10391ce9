package dev.postroom.store;

/**
 * A batch's stored members by state.
 *
 * @param pending   SCHEDULED, READY or IN_FLIGHT
 * @param succeeded SUCCEEDED
 * @param failed    DEAD
 * @param cancelled CANCELLED
 */
public record BatchCounts(long pending, long succeeded, long failed, long cancelled) {
    /** Members still stored. */
    public long stored() {
        return pending + succeeded + failed + cancelled;
    }
}
