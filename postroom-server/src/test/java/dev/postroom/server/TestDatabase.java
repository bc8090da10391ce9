package dev.postroom.server;

import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The PostgreSQL the server tests use: {@code POSTROOM_TEST_PG_URL} (set by {@code ./postroom test}).
 * Without it the calling test is skipped with a warning, or fails when {@code POSTROOM_CI=1}.
 */
public final class TestDatabase {
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private TestDatabase() {
    }

    /** The test database, as the PostgreSQL store's tests find it. */
    public static String url() {
        String url = System.getenv("POSTROOM_TEST_PG_URL");
        if (url == null || url.isBlank()) {
            absent("POSTROOM_TEST_PG_URL is not set: server-on-PostgreSQL tests SKIPPED. Run them with ./postroom test"
                    + " (starts a throwaway PostgreSQL), or point POSTROOM_TEST_PG_URL at a database you may create schemas in.");
        }
        return url;
    }

    /**
     * No PostgreSQL for the calling test: skips it with a warning on stderr (once per reason and
     * JVM), or fails it when {@code POSTROOM_CI=1}, where every test must run.
     */
    static void absent(String reason) {
        if ("1".equals(System.getenv("POSTROOM_CI"))) {
            throw new IllegalStateException("POSTROOM_CI=1 needs a PostgreSQL, but " + reason);
        }
        if (WARNED.add(reason)) {
            System.err.println("[postroom] WARNING " + reason);
        }
        Assumptions.abort(reason);
    }

    /** A schema name of its own for one test, so that test classes may share the database. */
    public static String newSchemaName() {
        return "t_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }

    public static void dropSchema(String schema) throws SQLException {
        try (Connection c = DriverManager.getConnection(url()); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
