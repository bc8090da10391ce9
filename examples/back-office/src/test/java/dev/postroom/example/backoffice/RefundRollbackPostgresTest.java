package dev.postroom.example.backoffice;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Assumptions;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The same refunds with the postgres profile: the back office's tables and Postroom's in one
 * database, so the request row and its message are one transaction (the outbox). Uses the
 * PostgreSQL of the tests ({@code POSTROOM_TEST_PG_URL}, which {@code ./postroom test} starts and
 * throws away), in a schema of its own. The context closes after the class, before the database goes.
 */
@ActiveProfiles("postgres")
@DirtiesContext
class RefundRollbackPostgresTest extends RefundRollbackTest {
    private static final String SCHEMA = "back_office_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);

    /** Before the application context: without a database the test is skipped (or fails on CI), never half-started. */
    @BeforeAll
    static void createSchema() throws SQLException {
        execute(testDatabase(), "CREATE SCHEMA " + SCHEMA);
    }

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        registry.add("POSTGRES_URL", () -> {
            String url = System.getenv("POSTROOM_TEST_PG_URL");
            return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + SCHEMA;
        });
    }

    private static String testDatabase() {
        String url = System.getenv("POSTROOM_TEST_PG_URL");
        if (url == null || url.isBlank()) {
            String reason = "POSTROOM_TEST_PG_URL is not set: the back office's PostgreSQL test is SKIPPED (./postroom test starts a PostgreSQL)";
            if ("1".equals(System.getenv("POSTROOM_CI"))) {
                throw new IllegalStateException("POSTROOM_CI=1 needs a PostgreSQL, but " + reason);
            }
            System.err.println("[postroom] WARNING " + reason);
            Assumptions.abort(reason);
        }
        return url;
    }

    private static void execute(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement statement = c.createStatement()) {
            statement.execute(sql);
        }
    }
}
