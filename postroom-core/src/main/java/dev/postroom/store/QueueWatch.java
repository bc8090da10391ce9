package dev.postroom.store;

/**
 * A registration made by {@link MessageStore#watchQueues}; closing it stops the calls. Closing is
 * idempotent and never throws.
 */
@FunctionalInterface
public interface QueueWatch extends AutoCloseable {
    /** For stores that have nothing to report: closing it does nothing. */
    QueueWatch NONE = () -> {
    };

    @Override
    void close();
}
