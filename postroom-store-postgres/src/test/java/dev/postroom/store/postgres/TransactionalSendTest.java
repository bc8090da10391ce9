package dev.postroom.store.postgres;

import dev.postroom.InvalidMessageException;
import dev.postroom.MessageState;
import dev.postroom.MessageTooLargeException;
import dev.postroom.OutgoingMessage;
import dev.postroom.Postroom;
import dev.postroom.QueueNotFoundException;
import dev.postroom.SendOptions;
import dev.postroom.SendResult;
import dev.postroom.StateCounts;
import dev.postroom.TransactionRequiredException;
import dev.postroom.store.QueueWatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Sends in the caller's transaction (the transactional outbox), end to end: the application's own
 * connection, whose search path is not the store's schema, an application table beside the
 * message, and a second Postroom node on the same database that handles what commits.
 */
class TransactionalSendTest {
    private static final String QUEUE = "refunds";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private TestDatabase.Schema schema;
    private Postroom app;
    private Postroom worker;
    private Connection tx;
    private final List<String> handled = new CopyOnWriteArrayList<>();

    record Refund(String order) {
    }

    @BeforeEach
    void openTwoNodes() throws SQLException {
        schema = TestDatabase.newSchema();
        app = Postroom.builder().store(PostgresMessageStore.open(schema.options())).node("app").build();
        worker = Postroom.builder().store(PostgresMessageStore.open(schema.options())).node("worker").build();
        app.createQueue(QUEUE);
        app.createQueue("marker");
        tx = DriverManager.getConnection(schema.url());
        try (Statement statement = tx.createStatement()) {
            statement.execute("CREATE TABLE " + schema.name() + ".orders (id text PRIMARY KEY, status text NOT NULL)");
        }
        tx.setAutoCommit(false);
    }

    @AfterEach
    void close() throws SQLException {
        if (tx != null) {
            tx.close();
        }
        if (worker != null) {
            worker.close();
        }
        if (app != null) {
            app.close();
        }
        if (schema != null) {
            schema.drop();
        }
    }

    private void handleOnWorker() {
        worker.handle(QUEUE, Refund.class, delivery -> {
            handled.add(delivery.payload().order());
            return null;
        });
    }

    private void insertOrder(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema.name() + ".orders (id, status) VALUES (?, 'refunding')")) {
            ps.setString(1, id);
            ps.executeUpdate();
        }
    }

    private long orders() throws SQLException {
        try (Connection other = DriverManager.getConnection(schema.url());
             Statement statement = other.createStatement();
             ResultSet rs = statement.executeQuery("SELECT count(*) FROM " + schema.name() + ".orders")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private StateCounts counts() {
        return app.store().counts().getOrDefault(QUEUE, StateCounts.EMPTY);
    }

    @Test
    void committedMessageIsVisibleAndHandledOnAnotherNode() throws SQLException {
        handleOnWorker();

        SendResult sent = app.send(tx, QUEUE, new Refund("order-1"));
        assertThat(sent.state()).isEqualTo(MessageState.READY);
        assertThat(sent.duplicate()).isFalse();
        assertThat(app.get(sent.id())).as("invisible before the commit").isEmpty();
        tx.commit();

        await().atMost(WAIT).until(() -> handled.contains("order-1"));
        await().atMost(WAIT).until(() -> app.get(sent.id()).orElseThrow().state() == MessageState.SUCCEEDED);
        assertThat(app.get(sent.id()).orElseThrow().timeline().getFirst().node()).isEqualTo("app");
    }

    @Test
    void rolledBackMessageIsNeverVisibleNorHandled() throws SQLException {
        handleOnWorker();

        SendResult sent = app.send(tx, QUEUE, new Refund("order-rolled-back"));
        tx.rollback();
        // A later message of the same queue is handled: had the first existed, it would have been too (it is older).
        app.send(QUEUE, new Refund("order-after")).join();

        await().atMost(WAIT).until(() -> handled.contains("order-after"));
        assertThat(handled).containsExactly("order-after");
        assertThat(app.get(sent.id())).isEmpty();
        await().atMost(WAIT).until(() -> counts().succeeded() == 1);
        assertThat(counts()).isEqualTo(new StateCounts(0, 0, 0, 1, 0, 0));
    }

    @Test
    void callersRowAndMessageCommitTogether() throws SQLException {
        insertOrder(tx, "order-7");
        SendResult sent = app.send(tx, QUEUE, new Refund("order-7"));

        assertThat(orders()).as("the caller's row, before the commit").isZero();
        assertThat(counts()).as("the message, before the commit").isEqualTo(StateCounts.EMPTY);
        assertThat(tx.getAutoCommit()).as("autocommit left alone").isFalse();
        tx.commit();

        assertThat(orders()).isEqualTo(1);
        assertThat(counts().ready()).isEqualTo(1);
        assertThat(app.get(sent.id()).orElseThrow().payloadJson()).contains("order-7");
    }

    @Test
    void batchIsWrittenWholeInTheTransaction() throws SQLException {
        List<SendResult> sent = app.sendBatch(tx, QUEUE, List.of(
                OutgoingMessage.of(new Refund("a")), OutgoingMessage.of(new Refund("b")),
                new OutgoingMessage(new Refund("c"), SendOptions.builder().delay(Duration.ofHours(1)).build())));
        assertThat(sent).extracting(SendResult::state)
                .containsExactly(MessageState.READY, MessageState.READY, MessageState.SCHEDULED);
        tx.commit();

        assertThat(counts()).isEqualTo(new StateCounts(1, 2, 0, 0, 0, 0));
    }

    /**
     * PostgreSQL delivers notifications in commit order. The marker is committed after the
     * transactional send was written but before that transaction commits: hearing the marker and
     * not the queue shows the send's NOTIFY waits for its commit; hearing the queue after the
     * commit shows it was issued at all, so idle consumers wake then and not at a later poll.
     */
    @Test
    void idleConsumersAreWokenByTheCommitAndNotBefore() throws SQLException {
        Set<String> heard = ConcurrentHashMap.newKeySet();
        try (QueueWatch ignored = worker.store().watchQueues(heard::add)) {
            handleOnWorker();
            app.send(tx, QUEUE, new Refund("order-woken"));
            app.send("marker", new Refund("marker")).join();

            await().atMost(WAIT).until(() -> heard.contains("marker"));
            assertThat(heard).doesNotContain(QUEUE);

            tx.commit();
            await().atMost(WAIT).until(() -> heard.contains(QUEUE));
            await().atMost(WAIT).until(() -> handled.contains("order-woken"));
        }
    }

    @Test
    void idempotencyKeyRepeatedInALaterTransactionReturnsTheFirstMessage() throws SQLException {
        SendOptions keyed = SendOptions.builder().idempotencyKey("refund-order-9").build();
        SendResult first = app.send(tx, QUEUE, new Refund("order-9"), keyed);
        SendResult again = app.send(tx, QUEUE, new Refund("order-9"), keyed);
        assertThat(again).as("within the same transaction").isEqualTo(new SendResult(first.id(), MessageState.READY, true));
        tx.commit();

        SendResult later = app.send(tx, QUEUE, new Refund("order-9"), keyed);
        tx.commit();

        assertThat(later.id()).isEqualTo(first.id());
        assertThat(later.duplicate()).isTrue();
        assertThat(counts().ready()).isEqualTo(1);
        assertThat(app.send(QUEUE, new Refund("order-9"), keyed).join().id()).as("a plain send too").isEqualTo(first.id());
    }

    @Test
    void connectionInAutocommitModeIsRejectedAndNothingIsWritten() throws SQLException {
        tx.setAutoCommit(true);

        assertThatThrownBy(() -> app.send(tx, QUEUE, new Refund("order-3")))
                .isInstanceOf(TransactionRequiredException.class)
                .hasMessageContaining("autocommit");
        assertThat(counts()).isEqualTo(StateCounts.EMPTY);
    }

    @Test
    void badInputThrowsAsAPlainSendWouldWritingNothingAndLeavesTheTransactionUsable() throws SQLException {
        insertOrder(tx, "order-8");

        assertThatThrownBy(() -> app.send(tx, "missing", new Refund("x"))).isInstanceOf(QueueNotFoundException.class);
        assertThatThrownBy(() -> app.send(tx, QUEUE, "x".repeat(300 * 1024)))
                .isInstanceOf(MessageTooLargeException.class);
        assertThatThrownBy(() -> app.send(tx, QUEUE, new Refund("x"), SendOptions.builder().priority(42).build()))
                .isInstanceOf(InvalidMessageException.class)
                .satisfies(e -> assertThat(((InvalidMessageException) e).field()).isEqualTo("priority"));
        assertThatThrownBy(() -> app.sendBatch(tx, QUEUE, List.of(OutgoingMessage.of(new Refund("ok")),
                new OutgoingMessage(new Refund("bad"), SendOptions.builder().priority(-1).build()))))
                .isInstanceOf(InvalidMessageException.class)
                .satisfies(e -> assertThat(((InvalidMessageException) e).field()).isEqualTo("messages[1].priority"));
        tx.commit();

        assertThat(orders()).as("the caller's transaction still commits").isEqualTo(1);
        assertThat(counts()).isEqualTo(StateCounts.EMPTY);
    }
}
