package dev.postroom.server.http;

import dev.postroom.MessageListener;
import dev.postroom.MessageState;

import java.util.List;

/** Several listeners as one; a failing listener does not stop the others or the engine. */
record Listeners(List<MessageListener> all) implements MessageListener {
    @Override
    public void sent(String queue, String id, MessageState state, boolean duplicate) {
        for (MessageListener l : all) {
            try {
                l.sent(queue, id, state, duplicate);
            } catch (RuntimeException ignored) {
                // a metrics or event failure must never fail a send
            }
        }
    }

    @Override
    public void changed(String queue, String id, MessageState state) {
        for (MessageListener l : all) {
            try {
                l.changed(queue, id, state);
            } catch (RuntimeException ignored) {
                // as above
            }
        }
    }

    @Override
    public void failed(String queue, String id, MessageState next) {
        for (MessageListener l : all) {
            try {
                l.failed(queue, id, next);
            } catch (RuntimeException ignored) {
                // as above
            }
        }
    }

    @Override
    public void handled(String queue, MessageState outcome, long nanosSinceSend, long handleNanos) {
        for (MessageListener l : all) {
            try {
                l.handled(queue, outcome, nanosSinceSend, handleNanos);
            } catch (RuntimeException ignored) {
                // as above
            }
        }
    }

    @Override
    public void storeFailed(String operation) {
        for (MessageListener l : all) {
            try {
                l.storeFailed(operation);
            } catch (RuntimeException ignored) {
                // as above
            }
        }
    }
}
