package dev.postroom.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.postroom.MessageState;
import dev.postroom.QueueNotFoundException;
import dev.postroom.QueuePolicy;
import dev.postroom.StaleLeaseException;
import dev.postroom.store.MessageIds;
import dev.postroom.store.ClaimRequest;
import dev.postroom.store.ClaimedMessage;
import dev.postroom.store.Completion;
import dev.postroom.store.NewMessage;
import dev.postroom.store.SendBatch;
import dev.postroom.store.SendOutcome;
import dev.postroom.store.Settlement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Group commit: requests queued together are written in one transaction, and a request the group
 * cannot do is redone alone — with its own precise failure — without costing the others theirs.
 * The requests are queued before the committer starts, so they are certainly one group.
 */
class GroupCommitTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final String QUEUE = "refunds";

    private final MessageIds ids = new MessageIds(InstantSource.fixed(NOW));
    private final AtomicInteger sentAlone = new AtomicInteger();
    private final AtomicInteger ackedAlone = new AtomicInteger();
    private TestDatabase.Schema schema;
    private PostgresMessageStore store;
    private HikariDataSource pool;
    private GroupCommit groupCommit;

    @BeforeEach
    void open() {
        schema = TestDatabase.newSchema();
        store = PostgresMessageStore.open(schema.options());
        store.upsertQueue(QUEUE, QueuePolicy.DEFAULT, NOW).join();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(schema.url());
        config.setSchema(schema.name());
        config.setMaximumPoolSize(2);
        pool = new HikariDataSource(config);
        groupCommit = new GroupCommit(pool, new GroupedWrites(new PostgresJson(), PostgresMessageStore.channel(schema.name())), 1,
                batch -> {
                    sentAlone.incrementAndGet();
                    return store.send(batch);
                },
                completion -> {
                    ackedAlone.incrementAndGet();
                    return store.ack(completion);
                });
    }

    @AfterEach
    void close() {
        if (groupCommit != null) {
            groupCommit.close();
        }
        if (pool != null) {
            pool.close();
        }
        if (store != null) {
            store.close();
        }
        if (schema != null) {
            schema.drop();
        }
    }

    @Test
    void sendsToAnUnknownQueueFailAloneWhileTheRestOfTheGroupIsStored() {
        CompletableFuture<List<SendOutcome>> first = groupCommit.send(batch(QUEUE));
        CompletableFuture<List<SendOutcome>> unknown = groupCommit.send(batch("nowhere"));
        CompletableFuture<List<SendOutcome>> last = groupCommit.send(batch(QUEUE));
        groupCommit.start();

        for (CompletableFuture<List<SendOutcome>> stored : List.of(first, last)) {
            SendOutcome outcome = stored.join().getFirst();
            assertThat(outcome.state()).isEqualTo(MessageState.READY);
            assertThat(store.get(outcome.id())).hasValueSatisfying(m -> assertThat(m.state()).isEqualTo(MessageState.READY));
        }
        assertThatThrownBy(unknown::join).isInstanceOf(CompletionException.class).hasCauseInstanceOf(QueueNotFoundException.class);
        assertThat(sentAlone).as("only the send the group could not do is redone alone").hasValue(1);
    }

    @Test
    void staleAndRepeatedAcksFailAloneWhileTheOthersSucceed() {
        for (int i = 0; i < 3; i++) {
            store.send(batch(QUEUE)).join();
        }
        List<ClaimedMessage> claimed = store.claim(new ClaimRequest(QUEUE, 3, Duration.ofSeconds(30), NOW, "node")).join();
        assertThat(claimed).hasSize(3);
        ClaimedMessage a = claimed.get(0);
        ClaimedMessage b = claimed.get(1);
        ClaimedMessage c = claimed.get(2);

        CompletableFuture<Settlement> first = groupCommit.ack(ack(a, a.leaseId()));
        CompletableFuture<Settlement> stale = groupCommit.ack(ack(b, "not-the-lease"));
        CompletableFuture<Settlement> good = groupCommit.ack(ack(c, c.leaseId()));
        CompletableFuture<Settlement> again = groupCommit.ack(ack(c, c.leaseId()));
        groupCommit.start();

        assertThat(first.join().state()).isEqualTo(MessageState.SUCCEEDED);
        assertThat(good.join()).isEqualTo(new Settlement(QUEUE, MessageState.SUCCEEDED));
        assertThatThrownBy(stale::join).hasCauseInstanceOf(StaleLeaseException.class);
        assertThatThrownBy(again::join).as("the second ack of one lease in a group").hasCauseInstanceOf(StaleLeaseException.class);
        assertThat(store.get(a.id()).orElseThrow().state()).isEqualTo(MessageState.SUCCEEDED);
        assertThat(store.get(b.id()).orElseThrow().state()).isEqualTo(MessageState.IN_FLIGHT);
        assertThat(store.get(c.id()).orElseThrow().resultJson()).isEqualTo("{\"ok\":true}");
        assertThat(ackedAlone).as("the stale ack and the repeat are redone alone").hasValue(2);
    }

    @Test
    void aClosedGroupCommitRefusesNewRequests() {
        groupCommit.start().close();
        assertThatThrownBy(() -> groupCommit.send(batch(QUEUE)).join()).hasMessageContaining("store is closed");
    }

    private SendBatch batch(String queue) {
        return new SendBatch(List.of(new NewMessage(ids.next(), queue, "{}", Map.of(), 0, NOW, null, null, null, 5)), NOW, "node");
    }

    private static Completion ack(ClaimedMessage m, String leaseId) {
        return new Completion(m.id(), leaseId, "{\"ok\":true}", NOW, "node");
    }
}
