package dev.postroom.store.postgres;

import dev.postroom.MessageState;
import dev.postroom.QueuePolicy;
import dev.postroom.store.MessageIds;
import dev.postroom.store.ClaimRequest;
import dev.postroom.store.ClaimedMessage;
import dev.postroom.store.Completion;
import dev.postroom.store.NewMessage;
import dev.postroom.store.NodeInfo;
import dev.postroom.store.RetryPlanner;
import dev.postroom.store.SendBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cluster-wide maintenance runs on one node at a time: while another session holds a task's
 * advisory lock (as another node's maintenance does while it runs the task), both nodes' calls of
 * that task do nothing and leave the rows as they are; once it is released, the task works.
 */
class MaintenanceLockTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final String QUEUE = "refunds";
    private static final RetryPlanner NO_DELAY = (queue, attempt) -> Duration.ZERO;

    private final MessageIds ids = new MessageIds(InstantSource.fixed(NOW));
    private TestDatabase.Schema schema;
    private PostgresMessageStore nodeA;
    private PostgresMessageStore nodeB;

    @BeforeEach
    void openTwoNodes() {
        schema = TestDatabase.newSchema();
        nodeA = PostgresMessageStore.open(schema.options());
        nodeB = PostgresMessageStore.open(schema.options());
        nodeA.upsertQueue(QUEUE, QueuePolicy.DEFAULT.withLease(LEASE), NOW).join();
    }

    @AfterEach
    void closeAndDrop() {
        if (nodeA != null) {
            nodeA.close();
        }
        if (nodeB != null) {
            nodeB.close();
        }
        if (schema != null) {
            schema.drop();
        }
    }

    @Test
    void aRetentionPurgeDoesNothingWhileAnotherNodeRunsOne() throws Exception {
        List<String> finished = send(3, NOW, null);
        for (ClaimedMessage m : nodeA.claim(new ClaimRequest(QUEUE, 3, LEASE, NOW, "a")).join()) {
            nodeA.ack(new Completion(m.id(), m.leaseId(), null, NOW, "a")).join();
        }
        Instant cutoff = NOW.plus(Duration.ofHours(1));

        try (Connection otherNode = holdLock(MaintenanceLock.PURGE_FINISHED)) {
            assertThat(nodeA.purgeFinished(QUEUE, MessageState.SUCCEEDED, cutoff).join()).isZero();
            assertThat(nodeB.purgeFinished(QUEUE, MessageState.SUCCEEDED, cutoff).join()).isZero();
            assertThat(finished).allSatisfy(id -> assertThat(nodeB.get(id)).isPresent());
            otherNode.rollback();
        }

        assertThat(nodeB.purgeFinished(QUEUE, MessageState.SUCCEEDED, cutoff).join()).isEqualTo(3);
        assertThat(finished).allSatisfy(id -> assertThat(nodeB.get(id)).isEmpty());
    }

    @Test
    void leaseReapingDoesNothingWhileAnotherNodeRunsIt() throws Exception {
        List<String> leased = send(2, NOW, null);
        assertThat(nodeA.claim(new ClaimRequest(QUEUE, 2, LEASE, NOW, "a")).join()).hasSize(2);
        Instant expired = NOW.plus(LEASE).plusMillis(1);

        try (Connection otherNode = holdLock(MaintenanceLock.EXPIRE_LEASES)) {
            assertThat(nodeB.expireLeases(expired, NO_DELAY, "b").join()).isZero();
            assertThat(nodeA.expireLeases(expired, NO_DELAY, "a").join()).isZero();
            assertThat(leased).allSatisfy(id -> assertThat(state(id)).isEqualTo(MessageState.IN_FLIGHT));
            otherNode.rollback();
        }

        assertThat(nodeB.expireLeases(expired, NO_DELAY, "b").join()).isEqualTo(2);
        assertThat(leased).allSatisfy(id -> assertThat(state(id)).isEqualTo(MessageState.READY));
    }

    @Test
    void promotionDoesNothingWhileAnotherNodeRunsIt() throws Exception {
        List<String> scheduled = send(1, NOW.plusSeconds(60), null);
        Instant due = NOW.plusSeconds(61);

        try (Connection otherNode = holdLock(MaintenanceLock.PROMOTE_DUE)) {
            assertThat(nodeB.promoteDue(due, "b").join()).isZero();
            assertThat(state(scheduled.getFirst())).isEqualTo(MessageState.SCHEDULED);
            otherNode.rollback();
        }

        assertThat(nodeB.promoteDue(due, "b").join()).isEqualTo(1);
        assertThat(state(scheduled.getFirst())).isEqualTo(MessageState.READY);
    }

    @Test
    void ttlExpiryDoesNothingWhileAnotherNodeRunsIt() throws Exception {
        List<String> perishable = send(1, NOW, NOW.plusSeconds(60));
        Instant past = NOW.plusSeconds(61);

        try (Connection otherNode = holdLock(MaintenanceLock.EXPIRE_TTL)) {
            assertThat(nodeB.expireTtl(past, "b").join()).isZero();
            assertThat(state(perishable.getFirst())).isEqualTo(MessageState.READY);
            otherNode.rollback();
        }

        assertThat(nodeB.expireTtl(past, "b").join()).isEqualTo(1);
        assertThat(state(perishable.getFirst())).isEqualTo(MessageState.DEAD);
    }

    @Test
    void forgettingDeadNodesDoesNothingWhileAnotherNodeRunsIt() throws Exception {
        Instant longAgo = NOW.minus(Duration.ofHours(2));
        nodeA.heartbeat(new NodeInfo("gone", longAgo, longAgo, "host", 1)).join();

        try (Connection otherNode = holdLock(MaintenanceLock.FORGET_NODES)) {
            assertThat(nodeB.forgetNodes(NOW.minus(Duration.ofHours(1))).join()).isZero();
            assertThat(nodeB.nodes()).extracting(NodeInfo::name).contains("gone");
            otherNode.rollback();
        }

        assertThat(nodeB.forgetNodes(NOW.minus(Duration.ofHours(1))).join()).isEqualTo(1);
        assertThat(nodeB.nodes()).extracting(NodeInfo::name).doesNotContain("gone");
    }

    @Test
    void sendsClaimsAndAcksTakeNoMaintenanceLock() throws Exception {
        List<Connection> holders = new ArrayList<>();
        try {
            for (MaintenanceLock task : MaintenanceLock.values()) {
                holders.add(holdLock(task));
            }
            String id = send(1, NOW, null).getFirst();
            ClaimedMessage claimed = nodeB.claim(new ClaimRequest(QUEUE, 1, LEASE, NOW, "b")).join().getFirst();
            nodeB.ack(new Completion(claimed.id(), claimed.leaseId(), null, NOW, "b")).join();
            assertThat(state(id)).isEqualTo(MessageState.SUCCEEDED);
        } finally {
            for (Connection holder : holders) {
                holder.close();
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * A session of its own holding {@code task}'s lock for this test's schema (keyed
     * as the store keys it, so these tests pin the key), in an open transaction, as another node's
     * store does while it runs the task. Roll back or close to release it.
     */
    private Connection holdLock(MaintenanceLock task) throws SQLException {
        Connection c = DriverManager.getConnection(schema.url());
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
            ps.setInt(1, task.key());
            ps.setString(2, schema.name());
            ps.execute();
        }
        return c;
    }

    private List<String> send(int count, Instant availableAt, Instant expiresAt) {
        List<NewMessage> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batch.add(new NewMessage(ids.next(), QUEUE, "{\"n\":" + i + "}", Map.of(), 0, availableAt, expiresAt, null, null, 5));
        }
        nodeA.send(new SendBatch(batch, NOW, "a")).join();
        return batch.stream().map(NewMessage::id).toList();
    }

    private MessageState state(String id) {
        return nodeB.get(id).orElseThrow().state();
    }
}
