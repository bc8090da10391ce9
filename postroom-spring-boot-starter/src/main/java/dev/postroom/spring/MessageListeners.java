package dev.postroom.spring;

import dev.postroom.MessageListener;
import dev.postroom.MessageState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Consumer;

/**
 * The application's {@code MessageListener} beans as the builder's one listener. A listener that
 * throws is logged and skipped: it must not fail the engine's state change, nor keep the other
 * listeners from hearing it.
 */
record MessageListeners(List<MessageListener> all) implements MessageListener {
    private static final Logger log = LoggerFactory.getLogger(MessageListeners.class);

    /** One listener for {@code listeners}: none, the only one, or all of them in turn. */
    static MessageListener of(List<MessageListener> listeners) {
        return switch (listeners.size()) {
            case 0 -> MessageListener.NONE;
            case 1 -> listeners.getFirst();
            default -> new MessageListeners(List.copyOf(listeners));
        };
    }

    private void each(String event, String queue, Consumer<MessageListener> call) {
        for (MessageListener listener : all) {
            try {
                call.accept(listener);
            } catch (RuntimeException e) {
                log.warn("message listener failed listener={} event={} queue={} error={}", listener, event, queue, e.toString());
            }
        }
    }

    @Override
    public void sent(String queue, String id, MessageState state, boolean duplicate) {
        each("sent", queue, l -> l.sent(queue, id, state, duplicate));
    }

    @Override
    public void changed(String queue, String id, MessageState state) {
        each("changed", queue, l -> l.changed(queue, id, state));
    }

    @Override
    public void failed(String queue, String id, MessageState next) {
        each("failed", queue, l -> l.failed(queue, id, next));
    }

    @Override
    public void handled(String queue, MessageState outcome, long nanosSinceSend, long handleNanos) {
        each("handled", queue, l -> l.handled(queue, outcome, nanosSinceSend, handleNanos));
    }

    @Override
    public void storeFailed(String operation) {
        each("storeFailed", "-", l -> l.storeFailed(operation));
    }
}
