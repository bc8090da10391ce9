package dev.postroom.chaos;

/**
 * One message handed to a consumer by a receive, and what became of it. Mutable only through
 * {@link #settle}: the consumer that received it settles it once.
 */
final class Delivery {
    /** What the consumer did with a delivery, as far as the server confirmed it. */
    enum Outcome {
        /** Not settled yet. */
        PENDING,
        /** Ack answered 200: the message is done and must never come back. */
        ACKED,
        /** Ack not answered, or answered otherwise than 200: the message may come back. */
        ACK_FAILED,
        /** Nack answered 200: it comes back as a retry, not a duplicate. */
        NACKED,
        /** Nack not answered 200: it comes back once its lease expires. */
        NACK_FAILED,
        /** Kept unacknowledged on purpose across a fault, to check that its lease comes back. */
        HELD
    }

    final long sequence;
    final String id;
    final String key;
    final String node;
    final FaultWindow.Mark received;
    private Outcome outcome = Outcome.PENDING;
    private boolean duringFault;

    Delivery(long sequence, String id, String key, String node, FaultWindow.Mark received) {
        this.sequence = sequence;
        this.id = id;
        this.key = key;
        this.node = node;
        this.received = received;
    }

    synchronized void settle(Outcome outcome, FaultWindow.Mark answered) {
        this.outcome = outcome;
        this.duringFault = FaultWindow.spans(received, answered);
    }

    synchronized Outcome outcome() {
        return outcome;
    }

    /** True when a fault began or was in progress between the receive and the settlement's answer. */
    synchronized boolean duringFault() {
        return duringFault;
    }

    @Override
    public synchronized String toString() {
        return "#" + sequence + " " + id + " via " + node + " " + outcome + (duringFault ? " (fault)" : "");
    }
}
