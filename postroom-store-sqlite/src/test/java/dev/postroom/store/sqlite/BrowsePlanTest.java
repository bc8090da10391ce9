package dev.postroom.store.sqlite;

import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
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
import java.util.Set;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The query plans behind browsing, and the claim's plan beside the browse indexes. The TCK checks
 * what browsing returns; this checks that SQLite gets it from an index range read backwards, with
 * no sort and no walk of the table, so it stays fast with millions of rows. Plans are taken on the
 * empty schema, without ANALYZE statistics, as a fresh store runs.
 */
class BrowsePlanTest {
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

    private List<String> plan(String sql, List<Object> parameters) throws SQLException {
        List<String> steps = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("EXPLAIN QUERY PLAN " + sql)) {
            for (int i = 0; i < parameters.size(); i++) {
                ps.setObject(i + 1, parameters.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    steps.add(rs.getString(4));
                }
            }
        }
        return steps;
    }

    private List<String> browsePlan(String queue, Integer priority, UnaryOperator<MessageQuery.Builder> filters) throws SQLException {
        MessageBrowser.ScanStatement statement = MessageBrowser.scanStatement(new MessageBrowser.Branch(queue, priority),
                filters.apply(MessageQuery.builder()).build(), 0, Long.MAX_VALUE, Set.of(1L, 2L));
        List<Object> parameters = new ArrayList<>(statement.parameters());
        parameters.add(51);
        return plan(statement.sql(), parameters);
    }

    private static void assertRangeOf(List<String> plan, String index) {
        assertThat(plan).as("plan").anySatisfy(step -> assertThat(step).startsWith("SEARCH messages USING").contains(index));
        assertThat(plan).as("plan").noneSatisfy(step -> assertThat(step).contains("TEMP B-TREE"));
        assertThat(plan).as("plan").noneSatisfy(step -> assertThat(step).startsWith("SCAN messages"));
    }

    @Test
    void queueIsARangeOfMessagesQueue() throws SQLException {
        assertRangeOf(browsePlan("orders", null, q -> q.queue("orders")), "INDEX messages_queue (queue=? AND rowid>? AND rowid<?)");
    }

    @Test
    void scheduledDeadAndCancelledAreRangesOfMessagesState() throws SQLException {
        for (MessageState state : List.of(MessageState.SCHEDULED, MessageState.DEAD, MessageState.CANCELLED)) {
            assertRangeOf(browsePlan("orders", null, q -> q.queue("orders").state(state)),
                    "INDEX messages_state (queue=? AND state=? AND rowid>? AND rowid<?)");
        }
    }

    @Test
    void readyIsARangeOfMessagesReadyPerPriority() throws SQLException {
        assertRangeOf(browsePlan("orders", 5, q -> q.queue("orders").state(MessageState.READY)),
                "INDEX messages_ready (queue=? AND priority=? AND seq>? AND seq<?)");
    }

    @Test
    void succeededWalksMessagesQueueCheckingEachRow() throws SQLException {
        assertRangeOf(browsePlan("orders", null, q -> q.queue("orders").state(MessageState.SUCCEEDED)), "INDEX messages_queue");
    }

    @Test
    void orderingKeyIsARangeOfMessagesKeyInAnyState() throws SQLException {
        assertRangeOf(browsePlan("orders", null, q -> q.queue("orders").orderingKey("k")),
                "INDEX messages_key (queue=? AND ordering_key=? AND rowid>? AND rowid<?)");
        for (MessageState state : List.of(MessageState.SUCCEEDED, MessageState.DEAD, MessageState.READY)) {
            assertRangeOf(browsePlan("orders", null, q -> q.queue("orders").orderingKey("k").state(state)),
                    "INDEX messages_key (queue=? AND ordering_key=? AND rowid>? AND rowid<?)");
        }
    }

    @Test
    void inFlightLooksUpTheLeasedRowsBySeq() throws SQLException {
        assertRangeOf(browsePlan("orders", null, q -> q.queue("orders").state(MessageState.IN_FLIGHT).orderingKey("k")),
                "INTEGER PRIMARY KEY (rowid=?)");
    }

    @Test
    void noFilterAndTimeRangesAreARangeOfTheRowKey() throws SQLException {
        assertRangeOf(browsePlan(null, null, q -> q), "INTEGER PRIMARY KEY (rowid>? AND rowid<?)");
        assertRangeOf(browsePlan(null, null, q -> q.text("needle")), "INTEGER PRIMARY KEY (rowid>? AND rowid<?)");
    }

    @Test
    void textSearchScansOnlyTheRangeTheOtherFiltersSelect() throws SQLException {
        assertRangeOf(browsePlan("orders", null, q -> q.queue("orders").text("needle")), "INDEX messages_queue");
    }

    @Test
    void claimStillChecksOrderingKeysAgainstUnfinishedRowsOnly() throws SQLException {
        List<String> plan = plan(MessageWrites.CLAIM_CANDIDATES, List.of("orders", 0L, 10));
        assertThat(plan).anySatisfy(step -> assertThat(step).startsWith("SEARCH m USING INDEX messages_ready ("));
        assertThat(plan).anySatisfy(step -> assertThat(step).startsWith("SEARCH o USING INDEX messages_ordering"));
        assertThat(plan).noneSatisfy(step -> assertThat(step).contains("TEMP B-TREE"));
    }

    @Test
    void oldestReadyIsTheHeadOfMessagesReadySince() throws SQLException {
        assertRangeOf(plan(MessageReads.OLDEST_READY, List.of("orders")), "INDEX messages_ready_since (queue=?)");
    }

    @Test
    void readyPrioritiesStillSeekMessagesReady() throws SQLException {
        assertRangeOf(plan(MessageBrowser.READY_PRIORITIES, List.of("orders", 10L)), "INDEX messages_ready (queue=? AND priority<?)");
    }
}
