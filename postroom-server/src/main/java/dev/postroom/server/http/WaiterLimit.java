package dev.postroom.server.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps the requests of one kind that stay open (long-polls, event streams) per client and in all,
 * so that one token cannot hold every connection the server can keep. A request past a cap is
 * answered 429 with {@code Retry-After} before it starts waiting; one within the caps holds a
 * {@link Slot} until it ends.
 */
public final class WaiterLimit {
    private final String what;
    private final int perClient;
    private final int total;
    private final int retryAfterSeconds;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> openByClient = new ConcurrentHashMap<>();

    /**
     * @param what              what is capped, for the 429's detail (e.g. "long-polls")
     * @param perClient         the most one client (a token, a console user) may hold open
     * @param total             the most all clients together may hold open
     * @param retryAfterSeconds the {@code Retry-After} of a refusal
     */
    public WaiterLimit(String what, int perClient, int total, int retryAfterSeconds) {
        this.what = what;
        this.perClient = perClient;
        this.total = total;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** A slot for {@code client}; close it when the request ends. */
    public Slot enter(String client) {
        if (openByClient.merge(client, 1, Integer::sum) > perClient) {
            leave(client);
            throw new TooBusyException(what + ": at most " + perClient + " open at once per client; retry after one ends",
                    retryAfterSeconds);
        }
        if (open.incrementAndGet() > total) {
            open.decrementAndGet();
            leave(client);
            throw new TooBusyException(what + ": the server holds its most (" + total + ") open at once; retry later",
                    retryAfterSeconds);
        }
        return new Slot(client);
    }

    /** How many are open now, for tests and metrics. */
    public int open() {
        return open.get();
    }

    private void leave(String client) {
        openByClient.computeIfPresent(client, (k, n) -> n == 1 ? null : n - 1);
    }

    /** One open request; closing it twice is harmless. */
    public final class Slot implements AutoCloseable {
        private final String client;
        private boolean closed;

        private Slot(String client) {
            this.client = client;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                open.decrementAndGet();
                leave(client);
            }
        }
    }
}
