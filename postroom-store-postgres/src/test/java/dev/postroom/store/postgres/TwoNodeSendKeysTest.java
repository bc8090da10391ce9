package dev.postroom.store.postgres;

import dev.postroom.Postroom;
import dev.postroom.SendOptions;
import dev.postroom.SendResult;
import dev.postroom.UniqueKeyConflictException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Unique and debounce keys hold across nodes: sends with one key from two nodes at the same moment
 * store one message (a unique key refuses the other; a debounce key merges them into one).
 */
class TwoNodeSendKeysTest {
    private static final String QUEUE = "reindex";

    private TestDatabase.Schema schema;
    private Postroom a;
    private Postroom b;

    @BeforeEach
    void open() {
        schema = TestDatabase.newSchema();
        a = Postroom.builder().store(PostgresMessageStore.open(schema.options())).node("node-a").maintenanceInterval(null).build();
        b = Postroom.builder().store(PostgresMessageStore.open(schema.options())).node("node-b").maintenanceInterval(null).build();
        a.createQueue(QUEUE);
    }

    @AfterEach
    void close() {
        b.close();
        a.close();
        schema.drop();
    }

    /** Sends {@code options} from every node in {@code nodes} at once; the results, or the exceptions. */
    private static List<Object> race(List<Postroom> nodes, SendOptions options) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Object>> sends = new ArrayList<>();
        for (Postroom node : nodes) {
            sends.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                    return node.send(QUEUE, 1, options).join();
                } catch (CompletionException e) {
                    return e.getCause();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        go.countDown();
        List<Object> outcomes = new ArrayList<>();
        for (CompletableFuture<Object> send : sends) {
            outcomes.add(send.get());
        }
        return outcomes;
    }

    @Test
    void twoNodesSendingOneUniqueKeyAtOnceStoreOneMessage() throws Exception {
        for (int round = 0; round < 10; round++) {
            List<Object> outcomes = race(List.of(a, b, a, b), SendOptions.builder().uniqueKey("export-" + round).build());

            List<SendResult> stored = outcomes.stream().filter(SendResult.class::isInstance).map(SendResult.class::cast).toList();
            assertThat(stored).as("round %d: %s", round, outcomes).hasSize(1);
            assertThat(outcomes).filteredOn(UniqueKeyConflictException.class::isInstance).hasSize(3)
                    .allSatisfy(e -> assertThat(((UniqueKeyConflictException) e).existingId()).isEqualTo(stored.getFirst().id()));
        }
        assertThat(a.queue(QUEUE).counts().ready()).isEqualTo(10);
    }

    @Test
    void twoNodesDebouncingOneKeyAtOnceMakeOneMessage() throws Exception {
        SendOptions debounce = SendOptions.builder().debounce("catalogue", Duration.ofMinutes(1), null).build();
        Set<String> ids = new HashSet<>();
        for (int round = 0; round < 5; round++) {
            for (Object outcome : race(List.of(a, b, a, b), debounce)) {
                assertThat(outcome).isInstanceOf(SendResult.class);
                ids.add(((SendResult) outcome).id());
            }
        }

        assertThat(ids).hasSize(1);
        assertThat(a.queue(QUEUE).counts().scheduled()).isEqualTo(1);
    }
}
