package dev.postroom.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The PostgreSQL the tests run against: the JDBC URL in {@value #URL_VARIABLE}, which {@code
 * ./postroom test} sets after starting a throwaway cluster ({@code .ci/postgres-test-cluster}).
 * Without it the PostgreSQL tests are skipped, loudly, unless {@code POSTROOM_CI=1}, where a missing
 * database fails them. Every test gets a schema of its own, dropped afterwards.
 */
public final class TestDatabase {
    public static final String URL_VARIABLE = "POSTROOM_TEST_PG_URL";
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private TestDatabase() {
    }

    /** The database's URL; skips (or, on CI, fails) the calling test when there is none. */
    public static String url() {
        String url = System.getenv(URL_VARIABLE);
        if (url == null || url.isBlank()) {
            String howTo = "Run them with ./postroom test (starts a throwaway PostgreSQL), or point " + URL_VARIABLE
                    + " at a database you may create schemas in.";
            if ("1".equals(System.getenv("POSTROOM_CI"))) {
                throw new IllegalStateException("POSTROOM_CI=1 needs a PostgreSQL for the PostgreSQL store tests, but "
                        + URL_VARIABLE + " is not set. " + howTo);
            }
            String reason = URL_VARIABLE + " is not set: PostgreSQL store tests SKIPPED. " + howTo;
            if (WARNED.compareAndSet(false, true)) {
                System.err.println("[postroom] WARNING " + reason);
            }
            Assumptions.abort(reason);
        }
        return url;
    }

    /** A fresh, empty schema name (the store creates it on open). */
    public static Schema newSchema() {
        String url = url();
        String name = "t_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        return new Schema(url, name);
    }

    /** One test's schema. */
    public record Schema(String url, String name) {
        /** Options of a store in this schema, with a small pool (tests run several stores at once). */
        public PostgresOptions options() {
            return PostgresOptions.of(url, null, null).withSchema(name).withPoolSize(4);
        }

        /**
         * A pool such as an application has, on the test database, knowing nothing of this schema:
         * for a store opened on a {@code DataSource}. The caller closes it.
         */
        public HikariDataSource applicationPool(int size) {
            return new HikariDataSource(applicationPoolConfig(size));
        }

        /** The configuration of {@link #applicationPool}, to change before the pool starts. */
        public HikariConfig applicationPoolConfig(int size) {
            HikariConfig config = new HikariConfig();
            config.setPoolName("app-" + name);
            config.setJdbcUrl(url);
            config.setMaximumPoolSize(size);
            config.setMinimumIdle(0);
            return config;
        }

        /** Drops the schema and everything in it. */
        public void drop() {
            try (Connection c = DriverManager.getConnection(url); Statement statement = c.createStatement()) {
                statement.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
            } catch (SQLException e) {
                throw new IllegalStateException("cannot drop test schema " + name, e);
            }
        }
    }
}
