package dev.postroom.spring;

import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The PostgreSQL of the tests, as the PostgreSQL store's tests find it (docs/testing.md): the JDBC
 * URL in {@code POSTROOM_TEST_PG_URL}; without it the test is skipped, or fails when
 * {@code POSTROOM_CI=1}.
 */
final class TestPostgres {
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private TestPostgres() {
    }

    static String url() {
        String url = System.getenv("POSTROOM_TEST_PG_URL");
        if (url == null || url.isBlank()) {
            String reason = "POSTROOM_TEST_PG_URL is not set: PostgreSQL tests of the starter SKIPPED (./postroom test starts a PostgreSQL)";
            if ("1".equals(System.getenv("POSTROOM_CI"))) {
                throw new IllegalStateException("POSTROOM_CI=1 needs a PostgreSQL, but " + reason);
            }
            if (WARNED.compareAndSet(false, true)) {
                System.err.println("[postroom] WARNING " + reason);
            }
            Assumptions.abort(reason);
        }
        return url;
    }

    /** A fresh schema name; the store creates the schema. */
    static String newSchema() {
        return "s_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }

    static void drop(String schema) throws SQLException {
        try (Connection c = DriverManager.getConnection(url()); Statement statement = c.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
