package dev.postroom.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.postroom.store.StoreUnavailableException;
import org.postgresql.PGConnection;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.function.Supplier;

import javax.sql.DataSource;

/**
 * Where a {@link PostgresMessageStore} gets its connections: a pool of its own, opened from
 * {@link PostgresOptions} and closed with the store, or an application's {@code DataSource},
 * borrowed and never closed.
 *
 * @param pool        what the store borrows its connections from, each set to the store's schema
 * @param schema      the configured schema, or null for the connections' own search path
 * @param poolSize    the connections the pool holds: sizes group commit and how often a transaction
 *                    that meets a dead session is run again
 * @param description for logs, without secrets
 * @param listening   how the notification listener gets its connection
 * @param closeOwned  closes what the store opened itself, and nothing of the application's
 */
record StoreConnections(DataSource pool, String schema, int poolSize, String description, Listening listening,
                        Runnable closeOwned) implements AutoCloseable {

    /** How the store's notification listener gets its connection. */
    @FunctionalInterface
    interface Listening {
        NotifyListener listener(String channel, Supplier<List<String>> allQueues);
    }

    /** A HikariCP pool of the store's own, and a listener connection beside it. */
    static StoreConnections ownPool(PostgresOptions options) {
        Properties driver = driverProperties(options);
        checkReachable(options);
        HikariConfig config = new HikariConfig();
        config.setPoolName("postroom-pg");
        config.setJdbcUrl(options.jdbcUrl());
        config.setUsername(options.user());
        config.setPassword(options.password());
        config.setMaximumPoolSize(options.poolSize());
        config.setMinimumIdle(Math.min(2, options.poolSize()));
        config.setAutoCommit(true);
        driver.forEach((k, v) -> config.addDataSourceProperty((String) k, v));
        HikariDataSource pool = new HikariDataSource(config);
        Properties listen = new Properties();
        listen.putAll(driver);
        if (options.user() != null) {
            listen.setProperty("user", options.user());
        }
        if (options.password() != null) {
            listen.setProperty("password", options.password());
        }
        return new StoreConnections(pool, options.schema(), options.poolSize(), options.toString(),
                (channel, queues) -> NotifyListener.dedicated(options.jdbcUrl(), listen, channel, queues), pool::close);
    }

    /**
     * An application's {@code DataSource}: connections are borrowed from it (set to {@code schema}
     * while the store has them), the listener holds one of them, and closing gives back what the
     * store holds but never closes the {@code DataSource}.
     *
     * @throws StoreUnavailableException when it lends no connection, or one that is not PostgreSQL's
     */
    static StoreConnections borrowed(DataSource dataSource, String schema) {
        try (Connection c = dataSource.getConnection()) {
            if (!c.isWrapperFor(PGConnection.class)) {
                throw new StoreUnavailableException("the DataSource " + dataSource + " is not PostgreSQL's: it lends "
                        + c.getMetaData().getDatabaseProductName() + " connections", null);
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("cannot reach PostgreSQL through the DataSource " + dataSource + ": " + e.getMessage(), e);
        }
        DataSource pool = schema == null ? dataSource : new SearchPathDataSource(dataSource, schema);
        return new StoreConnections(pool, schema, poolSizeOf(dataSource), "DataSource " + dataSource + ", schema=" + schema,
                (channel, queues) -> NotifyListener.borrowing(dataSource, channel, queues), () -> { });
    }

    /**
     * The size of an application's pool: HikariCP's maximum when the {@code DataSource} is (or
     * wraps) HikariCP, else HikariCP's default, which most pools share.
     */
    private static int poolSizeOf(DataSource dataSource) {
        try {
            if (dataSource.isWrapperFor(HikariDataSource.class)) {
                return Math.max(1, dataSource.unwrap(HikariDataSource.class).getMaximumPoolSize());
            }
        } catch (SQLException e) {
            // a DataSource that cannot tell what it wraps: take the default below
        }
        return PostgresOptions.DEFAULT_POOL_SIZE;
    }

    /**
     * Connects once before the pool does, so that an unreachable database or a refused login is
     * one clear error naming the URL, rather than the pool's logged stack trace.
     */
    private static void checkReachable(PostgresOptions options) {
        Properties login = new Properties();
        if (options.user() != null) {
            login.setProperty("user", options.user());
        }
        if (options.password() != null) {
            login.setProperty("password", options.password());
        }
        try (Connection ignored = new org.postgresql.Driver().connect(options.jdbcUrl(), login)) {
            // reachable, and the login is accepted
        } catch (SQLException e) {
            throw new StoreUnavailableException("cannot reach PostgreSQL at " + options.redactedUrl() + ": " + e.getMessage(), e);
        }
    }

    private static Properties driverProperties(PostgresOptions options) {
        Properties properties = new Properties();
        // sendBatch's JDBC batch goes over the wire as multi-row INSERTs.
        properties.setProperty("reWriteBatchedInserts", "true");
        properties.setProperty("ApplicationName", "postroom");
        if (options.schema() != null) {
            properties.setProperty("currentSchema", options.schema());
        }
        return properties;
    }

    NotifyListener listener(String channel, Supplier<List<String>> allQueues) {
        return listening.listener(channel, allQueues);
    }

    /** Closes the pool of the store's own; an application's {@code DataSource} stays open. */
    @Override
    public void close() {
        closeOwned.run();
    }
}
