package dev.postroom.store.postgres;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hot-path statements read the partial indexes V1 made for them, on a table large enough
 * (100,000 rows, most of them SUCCEEDED) that a sequential scan would show. One table for the
 * whole class: the tests only read plans.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClaimPlanTest {
    private TestDatabase.Schema schema;
    private Connection connection;

    @BeforeAll
    void fill() throws SQLException {
        schema = TestDatabase.newSchema();
        PostgresMessageStore.open(schema.options()).close();
        Properties properties = new Properties();
        properties.setProperty("currentSchema", schema.name());
        connection = DriverManager.getConnection(schema.url(), properties);
        try (Statement s = connection.createStatement()) {
            s.execute("INSERT INTO queues VALUES ('q', '{}', false, 0), ('r', '{}', false, 0)");
            s.execute("""
                    INSERT INTO messages (id, queue, state, priority, available_at, enqueued_at, updated_at, max_attempts,
                        payload, timeline, ordering_key)
                    SELECT gen_random_uuid(), CASE WHEN g % 10 = 0 THEN 'r' ELSE 'q' END, CASE WHEN g % 20 = 0 THEN 1 ELSE 3 END,
                        g % 3, g, g, g, 5, '{"n":1}', '[]', CASE WHEN g % 7 = 0 THEN 'k' || (g % 500) END
                    FROM generate_series(1, 100000) g""");
            s.execute("ANALYZE messages");
        }
    }

    @AfterAll
    void drop() throws SQLException {
        if (connection != null) {
            connection.close();
        }
        if (schema != null) {
            schema.drop();
        }
    }

    private List<String> plan(String sql, Object... parameters) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("EXPLAIN " + sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    lines.add(rs.getString(1));
                }
            }
        }
        return lines;
    }

    @Test
    void claimReadsReadyRowsInOrderAndChecksKeysOnTheUnfinishedOnes() throws SQLException {
        String plan = String.join("\n", plan(MessageWrites.CLAIM, "q", 5L, 10, "lease", 100L, "n", 5L, 5L, "n"));
        assertThat(plan).contains("Index Scan using messages_ready on messages")
                .contains("Index Scan using messages_ordering on messages")
                .contains("LockRows")
                .doesNotContain("Seq Scan")
                .doesNotContain("Sort");
    }

    @Test
    void inFlightCountAndOldestReadyReadTheirPartialIndexes() throws SQLException {
        assertThat(plan("SELECT count(*) FROM messages WHERE queue = ? AND state = 2", "q"))
                .anySatisfy(line -> assertThat(line).contains("using messages_leased"));
        assertThat(plan("SELECT min(available_at) FROM messages WHERE queue = ? AND state = 1", "q"))
                .anySatisfy(line -> assertThat(line).contains("using messages_ready_since"));
    }
}
