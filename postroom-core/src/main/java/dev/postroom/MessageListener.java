package dev.postroom;

/**
 * Hears every state change this node makes, for metrics and live views. Called on the thread
 * that made the change, after it is durable; implementations must be quick and must not throw.
 * Register with {@link Postroom.Builder#listener}.
 */
public interface MessageListener {
    /** Does nothing; the default. */
    MessageListener NONE = new MessageListener() {
    };

    /** Both listeners, {@code first} hearing each event before {@code second}. */
    static MessageListener both(MessageListener first, MessageListener second) {
        return new MessageListener() {
            @Override
            public void sent(String queue, String id, MessageState state, boolean duplicate) {
                first.sent(queue, id, state, duplicate);
                second.sent(queue, id, state, duplicate);
            }

            @Override
            public void changed(String queue, String id, MessageState state) {
                first.changed(queue, id, state);
                second.changed(queue, id, state);
            }

            @Override
            public void failed(String queue, String id, MessageState next) {
                first.failed(queue, id, next);
                second.failed(queue, id, next);
            }

            @Override
            public void handled(String queue, MessageState outcome, long nanosSinceSend, long handleNanos) {
                first.handled(queue, outcome, nanosSinceSend, handleNanos);
                second.handled(queue, outcome, nanosSinceSend, handleNanos);
            }

            @Override
            public void storeFailed(String operation) {
                first.storeFailed(operation);
                second.storeFailed(operation);
            }
        };
    }

    /** Messages were stored: {@code state} is READY or SCHEDULED (or the state a duplicate already had). */
    default void sent(String queue, String id, MessageState state, boolean duplicate) {
    }

    /** A message moved to {@code state} (IN_FLIGHT when leased, then SUCCEEDED, a retry state, DEAD or CANCELLED). */
    default void changed(String queue, String id, MessageState state) {
    }

    /**
     * An attempt failed (a handler threw, or a pull consumer nacked): the message is now
     * {@code next}, SCHEDULED or READY for a retry, or DEAD. Also reported as {@link #changed}.
     */
    default void failed(String queue, String id, MessageState next) {
    }

    /** A handler or pull consumer finished an attempt that took {@code nanos} from lease to settlement. */
    default void handled(String queue, MessageState outcome, long nanosSinceSend, long handleNanos) {
    }

    /**
     * A store operation of this node failed because the store was unavailable (a
     * {@link dev.postroom.store.StoreUnavailableException}: the database away, a statement refused);
     * {@code operation} names what was lost: {@code claim}, {@code settle} or {@code maintenance}
     * (an embedding server may report its own, such as {@code request}). Each is retried or
     * redelivered later; a run of them is what an operator must look at.
     */
    default void storeFailed(String operation) {
    }
}
