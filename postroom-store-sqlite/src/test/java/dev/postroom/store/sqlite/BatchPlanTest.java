package dev.postroom.store.sqlite;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The plans behind batches (V7): the completion pass reads the open batches from batches_open and
 * asks messages_batch whether any member is pending, and a batch's counts are one range of
 * messages_batch — never a walk of messages. Taken on the empty schema, as a fresh store runs.
 */
class BatchPlanTest {
    @TempDir
    Path dir;

    private Connection connection;

    @BeforeEach
    void openSchema() throws SQLException {
        SqliteMessageStore.open(dir).close();
        connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("postroom.db"));
    }

    @AfterEach
    void close() throws SQLException {
        connection.close();
    }

    private List<String> plan(String sql, Object... parameters) throws SQLException {
        List<String> steps = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("EXPLAIN QUERY PLAN " + sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    steps.add(rs.getString(4));
                }
            }
        }
        return steps;
    }

    @Test
    void theCompletionPassReadsOpenBatchesAndAsksMessagesBatchForPendingMembers() throws SQLException {
        List<String> plan = plan(BatchWrites.FINISHED, 100);

        assertThat(plan).anySatisfy(step -> assertThat(step).startsWith("SCAN b USING INDEX batches_open"));
        assertThat(plan).anySatisfy(step -> assertThat(step).startsWith("SEARCH m USING COVERING INDEX messages_batch (batch_id=?"));
        assertThat(plan).noneSatisfy(step -> assertThat(step).startsWith("SCAN m"));
    }

    @Test
    void aBatchsCountsAreOneRangeOfMessagesBatch() throws SQLException {
        List<String> plan = plan("SELECT state, count(*) FROM messages WHERE batch_id = ? GROUP BY state", "b");

        assertThat(plan).anySatisfy(step -> assertThat(step).startsWith("SEARCH messages USING COVERING INDEX messages_batch (batch_id=?)"));
        assertThat(plan).noneSatisfy(step -> assertThat(step).contains("TEMP B-TREE"));
    }
}
