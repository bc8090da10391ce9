package dev.postroom.server.http;

import dev.postroom.Message;
import dev.postroom.MessageListener;
import dev.postroom.MessageNotFoundException;
import dev.postroom.MessageState;
import dev.postroom.Postroom;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Long-poll support for {@code GET /messages/{id}?waitSeconds=}: a waiter sleeps until this node
 * reports a final state for the message, re-reading it at least once a second (a state reached
 * through lease expiry or TTL is not reported as an event).
 */
final class FinalStates implements MessageListener {
    private static final long RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private final ConcurrentHashMap<String, Object> waiters = new ConcurrentHashMap<>();
    private volatile Postroom postroom;

    void attach(Postroom postroom) {
        this.postroom = postroom;
    }

    @Override
    public void changed(String queue, String id, MessageState state) {
        if (state.isFinal()) {
            Object monitor = waiters.get(id);
            if (monitor != null) {
                synchronized (monitor) {
                    monitor.notifyAll();
                }
            }
        }
    }

    /** The message once final, or as it is when {@code wait} has passed. */
    Message await(String id, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        Object monitor = waiters.computeIfAbsent(id, k -> new Object());
        try {
            while (true) {
                Message message = postroom.get(id).orElseThrow(() -> new MessageNotFoundException(id));
                long left = deadline - System.nanoTime();
                if (message.state().isFinal() || left <= 0) {
                    return message;
                }
                synchronized (monitor) {
                    TimeUnit.NANOSECONDS.timedWait(monitor, Math.min(left, RECHECK_NANOS));
                }
            }
        } finally {
            waiters.remove(id, monitor);
        }
    }
}
