package dev.postroom.store.postgres;

import dev.postroom.MessageQuery;
import dev.postroom.Postroom;
import dev.postroom.ReceiveOptions;
import dev.postroom.ReceivedMessage;
import dev.postroom.SendOptions;
import dev.postroom.TimelineEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two Postroom nodes, each with its own store, on one database: the whole stack, end to end. */
class TwoNodeTest {
    private TestDatabase.Schema schema;
    private Postroom sender;
    private Postroom worker;

    @BeforeEach
    void newSchema() {
        schema = TestDatabase.newSchema();
    }

    @AfterEach
    void close() {
        if (worker != null) {
            worker.close();
        }
        if (sender != null) {
            sender.close();
        }
        if (schema != null) {
            schema.drop();
        }
    }

    record Export(int n) {
    }

    @Test
    void messagesSentOnOneNodeAreHandledOnAnother() {
        sender = Postroom.builder().store(PostgresMessageStore.open(schema.options())).node("sender").build();
        worker = Postroom.builder().store(PostgresMessageStore.open(schema.options())).node("worker").build();
        sender.createQueue("exports");

        Set<Integer> handled = ConcurrentHashMap.newKeySet();
        worker.handle("exports", Export.class, delivery -> {
            handled.add(delivery.payload().n());
            return null;
        });
        for (int i = 0; i < 50; i++) {
            sender.send("exports", new Export(i)).join();
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() == 50);
        await().atMost(Duration.ofSeconds(10)).until(() -> sender.queue("exports").counts().succeeded() == 50);
        String newest = sender.browse(MessageQuery.ALL).messages().getFirst().id();
        assertThat(sender.get(newest).orElseThrow().timeline())
                .extracting(TimelineEntry::node).containsExactly("sender", "worker", "worker");
    }

    /**
     * FIFO per ordering key follows the order the sends were stored in, not the order of the ids
     * the nodes minted: with node B's clock 50 ms behind node A's, a message sent through B after
     * one sent through A has the smaller id, yet A's is delivered first.
     */
    @Test
    void orderingKeysFollowTheOrderOfSendsAcrossNodesWhoseClocksDiffer() throws Exception {
        Instant start = Instant.parse("2026-01-01T12:00:00Z");
        sender = Postroom.builder().store(PostgresMessageStore.open(schema.options())).node("ahead")
                .clock(InstantSource.fixed(start)).build();
        worker = Postroom.builder().store(PostgresMessageStore.open(schema.options())).node("behind")
                .clock(InstantSource.fixed(start.minusMillis(50))).build();
        sender.createQueue("ledger");
        SendOptions keyed = SendOptions.builder().orderingKey("account-7").build();

        String first = sender.send("ledger", new Export(1), keyed).join().id();
        String second = worker.send("ledger", new Export(2), keyed).join().id();
        assertThat(second).as("the later send's id, minted by the node whose clock is behind").isLessThan(first);

        ReceiveOptions one = new ReceiveOptions(1, Duration.ZERO, Duration.ofSeconds(30));
        assertThat(worker.receive("ledger", one)).extracting(ReceivedMessage::id).containsExactly(first);
        assertThat(sender.receive("ledger", one)).as("the key's next message, while the first is in flight").isEmpty();
    }
}
