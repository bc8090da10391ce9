package dev.postroom.server.http;

import dev.postroom.Message;
import dev.postroom.MessageListener;
import dev.postroom.MessageNotFoundException;
import dev.postroom.MessageState;
import dev.postroom.Postroom;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Long-poll support for {@code GET /messages/{id}?waitSeconds=}: a waiter sleeps until this node
 * reports a final state for the message, re-reading it at least once a second (a state reached
 * through lease expiry or TTL is not reported as an event). Waiters park on a future, not on a
 * monitor: a virtual thread waiting in {@code synchronized} pins its carrier on JDK 21–23, and a
 * few hundred such waiters would stall the server.
 */
final class FinalStates implements MessageListener {
    private static final long RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** One future per awaited message, completed (and removed) when the message is reported final. */
    private final ConcurrentHashMap<String, CompletableFuture<Void>> finals = new ConcurrentHashMap<>();
    private volatile Postroom postroom;

    void attach(Postroom postroom) {
        this.postroom = postroom;
    }

    @Override
    public void changed(String queue, String id, MessageState state) {
        if (state.isFinal()) {
            CompletableFuture<Void> reached = finals.remove(id);
            if (reached != null) {
                reached.complete(null);
            }
        }
    }

    /** The message once final, or as it is when {@code wait} has passed. */
    Message await(String id, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            // registered before reading, so that a final state reported in between is not missed
            CompletableFuture<Void> reached = finals.computeIfAbsent(id, k -> new CompletableFuture<>());
            Message message = postroom.get(id).orElseThrow(() -> new MessageNotFoundException(id));
            long left = deadline - System.nanoTime();
            if (message.state().isFinal() || left <= 0) {
                if (!reached.isDone()) {
                    finals.remove(id, reached); // other waiters of this id re-register within a second
                }
                return message;
            }
            try {
                reached.get(Math.min(left, RECHECK_NANOS), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException recheck) {
                // read the message again
            }
        }
    }
}
