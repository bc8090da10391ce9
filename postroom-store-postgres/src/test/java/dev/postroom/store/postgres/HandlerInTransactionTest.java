package dev.postroom.store.postgres;

import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import dev.postroom.Backoff;
import dev.postroom.tck.ChildJvm;
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
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Exactly-once effects ({@link Postroom#handleInTransaction}): a handler's writes to the store's
 * database commit with its message's ack or not at all — once per message when all goes well,
 * rolled back with a failed attempt, rolled back when the ack is refused (the message was cancelled
 * meanwhile), and absent after a {@code kill -9} between the handler's work and the commit.
 */
class HandlerInTransactionTest {
    private static final String QUEUE = "refunds";
    private static final String WROTE = "HANDLER WROTE";

    @TempDir
    Path tmp;

    private TestDatabase.Schema schema;
    private Postroom postroom;
    private ChildJvm child;

    @BeforeEach
    void open() throws SQLException {
        schema = TestDatabase.newSchema();
        postroom = Postroom.builder().store(PostgresMessageStore.open(schema.options())).maintenanceInterval(Duration.ofMillis(20)).build();
        try (Connection c = DriverManager.getConnection(schema.url()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + schema.name() + ".refunds_done (order_id text PRIMARY KEY, attempt integer NOT NULL)");
        }
    }

    @AfterEach
    void close() throws InterruptedException {
        if (child != null) {
            child.close();
        }
        postroom.close();
        schema.drop();
    }

    /** The handler every test runs: one row per refund, in the store's transaction. */
    static Object refund(dev.postroom.Delivery<Map> delivery, Connection connection) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO refunds_done (order_id, attempt) VALUES (?, ?)")) {
            insert.setString(1, String.valueOf(delivery.payload().get("order")));
            insert.setInt(2, delivery.attempt());
            insert.executeUpdate();
        }
        return "refunded " + delivery.payload().get("order");
    }

    private List<String> rows() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(schema.url());
             PreparedStatement ps = c.prepareStatement("SELECT order_id, attempt FROM " + schema.name() + ".refunds_done ORDER BY order_id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(rs.getString(1) + "@" + rs.getInt(2));
            }
        }
        return rows;
    }

    private MessageState stateOf(String id) {
        return postroom.get(id).map(Message::state).orElseThrow();
    }

    @Test
    void eachMessageWritesItsRowAndIsAckedInOneTransaction() throws SQLException {
        postroom.createQueue(QUEUE);
        postroom.handleInTransaction(QUEUE, Map.class, HandlerInTransactionTest::refund);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(postroom.send(QUEUE, Map.of("order", "o-" + (100 + i))).join().id());
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream().allMatch(id -> stateOf(id) == MessageState.SUCCEEDED));

        assertThat(rows()).hasSize(20).allMatch(row -> row.endsWith("@1"));
        assertThat(postroom.get(ids.getFirst()).orElseThrow().resultJson()).isEqualTo("\"refunded o-100\"");
    }

    @Test
    void aFailingAttemptRollsItsWritesBackAndTheRetryWritesOnce() throws SQLException {
        postroom.createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(3).withBackoff(new Backoff(Duration.ofMillis(10), Duration.ofMillis(10), 1.0)));
        postroom.handleInTransaction(QUEUE, Map.class, (delivery, connection) -> {
            Object result = refund(delivery, connection);
            if (delivery.attempt() == 1) {
                throw new IllegalStateException("payment provider timed out after the row was written");
            }
            return result;
        });
        String id = postroom.send(QUEUE, Map.of("order", "o-7")).join().id();

        await().atMost(Duration.ofSeconds(30)).until(() -> stateOf(id) == MessageState.SUCCEEDED);

        assertThat(rows()).containsExactly("o-7@2");
        assertThat(postroom.get(id).orElseThrow().errors()).hasSize(1);
    }

    @Test
    void aMessageCancelledWhileItsHandlerRunsLeavesNoWrite() throws Exception {
        postroom.createQueue(QUEUE);
        CountDownLatch wrote = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        postroom.handleInTransaction(QUEUE, Map.class, (delivery, connection) -> {
            Object result = refund(delivery, connection);
            wrote.countDown();
            cancelled.await(30, TimeUnit.SECONDS);
            return result;
        });
        String id = postroom.send(QUEUE, Map.of("order", "o-8")).join().id();
        assertThat(wrote.await(30, TimeUnit.SECONDS)).isTrue();

        postroom.cancel(id);
        cancelled.countDown();

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(10)).until(() -> stateOf(id) == MessageState.CANCELLED);
        assertThat(rows()).as("the ack was refused, so the row rolled back").isEmpty();
    }

    @Test
    void aKillBetweenTheHandlersWriteAndTheCommitLeavesNothingAndTheRetryWritesOnce() throws Exception {
        postroom.createQueue(QUEUE, QueuePolicy.DEFAULT.withLease(Duration.ofSeconds(2)));
        String id = postroom.send(QUEUE, Map.of("order", "o-9")).join().id();
        child = ChildJvm.start(tmp, "handler", "WARN", Child.class, List.of(schema.url(), schema.name()));
        child.awaitReady(WROTE, Duration.ofSeconds(60));

        assertThat(child.runThenKill(0)).isEqualTo(128 + 9);
        assertThat(rows()).as("written, never committed").isEmpty();

        postroom.handleInTransaction(QUEUE, Map.class, HandlerInTransactionTest::refund);
        await().atMost(Duration.ofSeconds(30)).until(() -> stateOf(id) == MessageState.SUCCEEDED);
        assertThat(rows()).containsExactly("o-9@2");
    }

    /** A node whose handler writes its row, says so, and hangs before the commit until it is killed. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Postroom node = Postroom.builder().store(PostgresMessageStore.open(PostgresOptions.of(args[0], null, null)
                    .withSchema(args[1]).withPoolSize(2))).node("doomed").build();
            node.handleInTransaction(QUEUE, Map.class, (delivery, connection) -> {
                refund(delivery, connection);
                System.out.println(WROTE + " " + delivery.id());
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE);
                return null;
            });
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
