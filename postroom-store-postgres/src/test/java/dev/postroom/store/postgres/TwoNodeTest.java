package dev.postroom.store.postgres;

import dev.postroom.MessageQuery;
import dev.postroom.Postroom;
import dev.postroom.TimelineEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
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
}
