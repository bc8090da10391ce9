package dev.postroom.store.postgres;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Listens on the store's notification channel and passes each queue name it hears to the
 * registered watchers, so that a send on any node wakes the idle consumers of every node within
 * milliseconds. Runs one platform thread on a dedicated connection outside the pool: a {@code
 * LISTEN} belongs to a session, and a pooled connection would lose it when returned.
 *
 * <p>When the connection drops it reconnects, waiting {@value #RETRY_MILLIS} ms between attempts;
 * notifications sent while it was away are lost, so after reconnecting it reports every queue as
 * changed (the consumers look once, find what they missed, and wait again). Started lazily, by the
 * first watcher.
 */
final class NotifyListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NotifyListener.class);
    /** How long one wait for notifications blocks before it checks whether the listener was closed. */
    private static final int POLL_MILLIS = 500;
    private static final long RETRY_MILLIS = 1_000;

    private final String jdbcUrl;
    private final Properties properties;
    private final String channel;
    private final Supplier<List<String>> allQueues;
    private final List<Consumer<String>> watchers = new CopyOnWriteArrayList<>();
    private Thread thread;
    private volatile boolean closed;
    private volatile Connection connection;

    NotifyListener(String jdbcUrl, Properties properties, String channel, Supplier<List<String>> allQueues) {
        this.jdbcUrl = jdbcUrl;
        this.properties = properties;
        this.channel = channel;
        this.allQueues = allQueues;
    }

    /** Adds a watcher; the returned action removes it. */
    synchronized Runnable add(Consumer<String> watcher) {
        watchers.add(watcher);
        if (thread == null && !closed) {
            thread = Thread.ofPlatform().daemon().name("postroom-pg-listen").start(this::run);
        }
        return () -> watchers.remove(watcher);
    }

    private void run() {
        boolean reconnecting = false;
        while (!closed) {
            try (Connection c = DriverManager.getConnection(jdbcUrl, properties)) {
                connection = c;
                try (Statement statement = c.createStatement()) {
                    statement.execute("LISTEN \"" + channel + "\"");
                }
                if (reconnecting) {
                    log.info("notification listener reconnected channel={}", channel);
                    allQueues.get().forEach(this::deliver);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
                    if (notifications != null) {
                        for (PGNotification notification : notifications) {
                            deliver(notification.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                log.warn("notification listener lost its connection channel={} error={}; reconnecting in {} ms",
                        channel, e.toString(), RETRY_MILLIS);
                reconnecting = true;
                try {
                    Thread.sleep(RETRY_MILLIS);
                } catch (InterruptedException interrupted) {
                    return;
                }
            } finally {
                connection = null;
            }
        }
    }

    private void deliver(String queue) {
        for (Consumer<String> watcher : watchers) {
            try {
                watcher.accept(queue);
            } catch (RuntimeException e) {
                log.warn("queue watcher failed queue={}", queue, e);
            }
        }
    }

    /** Drops the connection as if the network had: for tests of the reconnect. */
    void dropConnectionForTesting() throws SQLException {
        Connection c = connection;
        if (c != null) {
            c.unwrap(PGConnection.class).cancelQuery();
            c.abort(Runnable::run);
        }
    }

    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            closed = true;
            running = thread;
        }
        if (running != null) {
            // Cut the wait for notifications short rather than let it run out.
            Connection c = connection;
            if (c != null) {
                try {
                    c.abort(Runnable::run);
                } catch (SQLException | RuntimeException e) {
                    log.debug("aborting the listener connection failed", e);
                }
            }
            running.interrupt();
            try {
                running.join(POLL_MILLIS * 4L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
