package dev.postroom;

/** How many messages of a queue are in each state. */
public record StateCounts(long scheduled, long ready, long inFlight, long succeeded, long dead, long cancelled) {
    public static final StateCounts EMPTY = new StateCounts(0, 0, 0, 0, 0, 0);

    public long of(MessageState state) {
        return switch (state) {
            case SCHEDULED -> scheduled;
            case READY -> ready;
            case IN_FLIGHT -> inFlight;
            case SUCCEEDED -> succeeded;
            case DEAD -> dead;
            case CANCELLED -> cancelled;
        };
    }
}
