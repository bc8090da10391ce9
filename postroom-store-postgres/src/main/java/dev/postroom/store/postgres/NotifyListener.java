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

import javax.sql.DataSource;

/**
 * Listens on the store's notification channel and passes each queue name it hears to the
 * registered watchers, so that a send on any node wakes the idle consumers of every node within
 * milliseconds. Runs one platform thread on a connection that it holds for as long as it listens:
 * a {@code LISTEN} belongs to a session, and a connection given back to a pool would lose it (or
 * keep it, for the next borrower to hear).
 *
 * <p>The connection is either the listener's own, opened outside the store's pool ({@link
 * #dedicated}), or one borrowed from an application's {@code DataSource} and held until the store
 * closes ({@link #borrowing}); a borrowed one goes back with {@code UNLISTEN *}, and closing the
 * listener waits for the current wait for notifications to end (at most {@value #POLL_MILLIS} ms)
 * rather than abort a connection the pool still counts as its own.
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

    private final Connector connector;
    private final boolean borrowed;
    private final String channel;
    private final Supplier<List<String>> allQueues;
    private final List<Consumer<String>> watchers = new CopyOnWriteArrayList<>();
    private Thread thread;
    private volatile boolean closed;
    private volatile Connection connection;

    /** Opens the connection the listener listens on. */
    @FunctionalInterface
    private interface Connector {
        Connection connect() throws SQLException;
    }

    private NotifyListener(Connector connector, boolean borrowed, String channel, Supplier<List<String>> allQueues) {
        this.connector = connector;
        this.borrowed = borrowed;
        this.channel = channel;
        this.allQueues = allQueues;
    }

    /** A listener on a connection of its own, outside the store's pool. */
    static NotifyListener dedicated(String jdbcUrl, Properties properties, String channel, Supplier<List<String>> allQueues) {
        return new NotifyListener(() -> DriverManager.getConnection(jdbcUrl, properties), false, channel, allQueues);
    }

    /** A listener on a connection borrowed from {@code dataSource}, held while it listens. */
    static NotifyListener borrowing(DataSource dataSource, String channel, Supplier<List<String>> allQueues) {
        return new NotifyListener(dataSource::getConnection, true, channel, allQueues);
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
            try (Connection c = connector.connect()) {
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
                if (borrowed) {
                    Thread.interrupted(); // close() interrupts; the interrupt is not meant for the UNLISTEN
                    try (Statement statement = c.createStatement()) {
                        statement.execute("UNLISTEN *"); // the pool's next borrower must not hear this channel
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
            // Cut the wait for notifications short rather than let it run out; a borrowed connection
            // is the pool's, so that one is left to end its wait and go back clean.
            Connection c = borrowed ? null : connection;
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
