package dev.postroom.server.auth;

import dev.postroom.store.jdbc.Dialect;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.postroom.store.StoreUnavailableException;
import dev.postroom.store.postgres.PostgresOptions;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.configuration.FluentConfiguration;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Where users, API tokens and the audit log live, migrated and pooled: {@code auth.db} in a node's
 * data directory with the embedded store, or the message store's PostgreSQL database and schema,
 * shared by every node of a cluster. {@link AuthStore} and {@code AuditLog} work on either through
 * the {@link #dataSource() pool} and the {@link #dialect() dialect}.
 * <pre>{@code
 * try (AuthDatabase database = AuthDatabase.postgres(options);
 *      AuthStore auth = AuthStore.open(database);
 *      AuditLog audit = AuditLog.open(database, InstantSource.system())) {
 *     ...
 * }
 * }</pre>
 *
 * <p>On PostgreSQL the tables are migrated from {@code db/auth-postgres} with their own Flyway
 * history table ({@code auth_schema_history}), so the message store's migrations and these never
 * see each other's. Open it after the message store on a new schema: Flyway refuses to start a
 * history in a schema that already has tables, so these migrations begin theirs at version 0 when
 * the message store's tables are there, while the message store's would refuse a schema that held
 * only these. Nodes migrating at once take turns on Flyway's lock.
 *
 * <p>Thread-safe. Closing closes the pool; a store or log opened on it must not be used after.
 */
public final class AuthDatabase implements AutoCloseable {
    /** Two, as before the pool: the auth store's writes and the audit log's need not wait for each other's connection. */
    private static final int SQLITE_POOL_SIZE = 2;
    /**
     * On PostgreSQL the tables sit beside the message store's (and perhaps an application's own
     * {@code users}), so they are prefixed, and their migrations keep a history table of their own
     * so that they never meet the message store's. In {@code auth.db} Flyway's default table is kept.
     */
    private static final String POSTGRES_HISTORY = "auth_schema_history";
    /** Users, tokens and audit entries are a trickle beside the messages: a few connections per node serve them. */
    private static final int POSTGRES_POOL_SIZE = 3;
    /** The pool's other connection, or another process on the same file, may hold the write lock briefly: wait for it rather than fail. */
    private static final int SQLITE_BUSY_TIMEOUT_MILLIS = 5000;

    private final DataSource pool;
    /** The pool this opened, closed with it; null on a caller's DataSource, which the caller closes. */
    private final HikariDataSource owned;
    private final Dialect dialect;
    private final String description;

    private AuthDatabase(DataSource pool, HikariDataSource owned, Dialect dialect, String description) {
        this.pool = pool;
        this.owned = owned;
        this.dialect = dialect;
        this.description = description;
    }

    /**
     * Opens (creating and migrating) {@code auth.db} in {@code dataDir}, as every version before kept it.
     *
     * @throws StoreUnavailableException when the file cannot be opened or migrated
     */
    public static AuthDatabase sqlite(Path dataDir) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("postroom-auth");
        config.setJdbcUrl("jdbc:sqlite:" + dataDir.resolve("auth.db").toAbsolutePath());
        config.setMaximumPoolSize(SQLITE_POOL_SIZE);
        config.setMinimumIdle(1);
        config.addDataSourceProperty("busy_timeout", Integer.toString(SQLITE_BUSY_TIMEOUT_MILLIS));
        // A transaction takes the write lock when it begins, not at its first write: one that read
        // first would otherwise fail at once (no busy wait) when another connection is writing.
        config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
        String description = "auth.db in " + dataDir.toAbsolutePath();
        return open(config, Dialect.SQLITE, description, Flyway.configure().locations("classpath:db/auth"));
    }

    /**
     * Opens users, tokens and the audit log in the database and schema of these options, with a
     * small pool of their own, creating or migrating their tables. The pool size of the options is
     * the message store's and does not apply here.
     *
     * @throws StoreUnavailableException when the database cannot be reached or migrated, or a newer
     *                                   Postroom migrated these tables
     */
    public static AuthDatabase postgres(PostgresOptions options) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("postroom-auth-pg");
        config.setJdbcUrl(options.jdbcUrl());
        config.setUsername(options.user());
        config.setPassword(options.password());
        config.setMaximumPoolSize(POSTGRES_POOL_SIZE);
        config.setMinimumIdle(1);
        config.addDataSourceProperty("ApplicationName", "postroom-auth");
        if (options.schema() != null) {
            config.addDataSourceProperty("currentSchema", options.schema());
        }
        String description = "PostgreSQL " + options.redactedUrl() + (options.schema() == null ? "" : " schema " + options.schema());
        return open(config, Dialect.POSTGRES, description, postgresMigrations(options.schema()));
    }

    /**
     * Opens users, tokens and the audit log on an application's PostgreSQL {@code dataSource} (no
     * pool of their own), in its connections' current schema, creating or migrating their tables.
     * {@link #close()} leaves the DataSource open.
     *
     * @throws StoreUnavailableException as {@link #postgres(PostgresOptions)}
     */
    public static AuthDatabase postgres(DataSource dataSource) {
        return migrate(dataSource, null, Dialect.POSTGRES, "the application's PostgreSQL DataSource", postgresMigrations(null));
    }

    private static FluentConfiguration postgresMigrations(String schema) {
        // The message store's tables make the schema "non-empty" to Flyway; this history starts at 0 beside them.
        FluentConfiguration flyway = Flyway.configure().locations("classpath:db/auth-postgres").table(POSTGRES_HISTORY)
                .baselineOnMigrate(true).baselineVersion("0");
        if (schema != null) {
            flyway.schemas(schema).createSchemas(true);
        }
        return flyway;
    }

    private static AuthDatabase open(HikariConfig config, Dialect dialect, String description, FluentConfiguration flyway) {
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreUnavailableException("cannot open users and audit log in " + description + ": " + rootMessage(e), e);
        }
        return migrate(pool, pool, dialect, description, flyway);
    }

    private static AuthDatabase migrate(DataSource pool, HikariDataSource owned, Dialect dialect, String description,
                                        FluentConfiguration flyway) {
        try {
            Flyway loaded = flyway.loggers("slf4j").dataSource(pool).load();
            if (dialect == Dialect.POSTGRES) {
                refuseNewer(loaded, description);
            }
            loaded.migrate();
            return new AuthDatabase(pool, owned, dialect, description);
        } catch (RuntimeException e) {
            if (owned != null) {
                owned.close();
            }
            if (e instanceof StoreUnavailableException unavailable) {
                throw unavailable;
            }
            // Flyway's own message is a multi-line report; its cause says what is wrong (a damaged file, say).
            throw new StoreUnavailableException("cannot open users and audit log in " + description + ": " + rootMessage(e), e);
        }
    }

    /**
     * Refuses tables a newer Postroom migrated, as the message store refuses its schema: Flyway on
     * its own ignores migrations it does not know, and this version would then misread the tables.
     */
    private static void refuseNewer(Flyway flyway, String description) {
        List<MigrationInfo> all = Arrays.asList(flyway.info().all());
        Optional<MigrationInfo> future = all.stream()
                .filter(m -> m.getState() == MigrationState.FUTURE_SUCCESS || m.getState() == MigrationState.FUTURE_FAILED)
                .findFirst();
        if (future.isPresent()) {
            throw new StoreUnavailableException("users and audit log in " + description + " were migrated by a newer Postroom: migration "
                    + future.get().getVersion() + " (" + future.get().getDescription() + ") is unknown to this version; upgrade this node", null);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }

    /** The pooled connections: autocommit on, returned to the pool by {@code close()}. */
    public DataSource dataSource() {
        return pool;
    }

    /** Which database this is, for the few statements that differ. */
    public Dialect dialect() {
        return dialect;
    }

    /** Work on one connection that may throw {@link SQLException}. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs {@code work} on a pooled connection in autocommit mode: each statement is its own transaction. */
    public <T> T withConnection(Work<T> work) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            return work.run(connection);
        }
    }

    /**
     * Runs {@code work} in one transaction and commits it; any exception, checked or not, rolls it
     * back and is rethrown as it was.
     */
    public <T> T inTransaction(Work<T> work) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollbackFailed) {
                    e.addSuppressed(rollbackFailed);
                }
                throw e;
            } finally {
                connection.setAutoCommit(true); // an application's pool may hand it on as it gets it back
            }
        }
    }

    /**
     * Copies {@code auth.db} (users, tokens, the audit log) to {@code target}, a file that must not
     * exist, with SQLite's {@code VACUUM INTO}: one read transaction, so the copy is consistent and
     * the pool's writers are not stopped.
     *
     * @throws dev.postroom.BackupUnsupportedException on PostgreSQL, whose own tools back it up with the messages
     * @throws StoreUnavailableException               when the copy fails; a partial file is removed
     */
    public void backup(Path target) {
        if (dialect != Dialect.SQLITE) {
            throw new dev.postroom.BackupUnsupportedException("users, tokens and the audit log are in " + description
                    + "; back them up with pg_dump together with the messages");
        }
        try {
            withConnection(connection -> {
                try (var vacuum = connection.prepareStatement("VACUUM INTO ?")) {
                    vacuum.setString(1, target.toAbsolutePath().toString());
                    return vacuum.execute();
                }
            });
        } catch (SQLException e) {
            try {
                java.nio.file.Files.deleteIfExists(target);
            } catch (java.io.IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw new StoreUnavailableException("backup of " + description + " to " + target + " failed: " + e.getMessage(), e);
        }
    }

    /** For logs: which file or which database and schema, never a password. */
    @Override
    public String toString() {
        return description;
    }

    /** Closes the pool it opened (not an application's DataSource). Idempotent. */
    @Override
    public void close() {
        if (owned != null) {
            owned.close();
        }
    }
}
