package dev.postroom.store.sqlite;

import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import dev.postroom.ReceiveOptions;
import dev.postroom.ReceivedMessage;
import dev.postroom.SendOptions;
import dev.postroom.TimelineEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the embedded store keeps timelines: a message on the happy path (sent READY, acked on its
 * first attempt by the node that sent it) stores none and reads the entries its columns imply;
 * the first step off that path writes them out as compact arrays and appends to them; and the
 * objects that stores written before hold still read, beside entries added after an upgrade.
 */
class CompactTimelineTest {
    private static final String QUEUE = "work";

    @TempDir
    Path dir;

    @Test
    void theHappyPathStoresNoEntriesAndReadsAllThree() throws Exception {
        try (Postroom postroom = open("node-a")) {
            String id = postroom.send(QUEUE, Map.of("n", 1)).join().id();
            assertThat(storedTimeline(id)).isEmpty();
            long sentLength = messageBytes();
            assertThat(postroom.get(id).orElseThrow().timeline())
                    .containsExactly(new TimelineEntry(postroom.get(id).orElseThrow().enqueuedAt(), MessageState.READY, "node-a", 0, "sent"));

            ReceivedMessage received = receiveOne(postroom);
            postroom.ack(received.id(), received.leaseId(), null);

            assertThat(storedTimeline(id)).isEmpty();
            // The ack writes the lease's time and the new state, not two entries: the row barely grows.
            assertThat(messageBytes() - sentLength).isLessThanOrEqualTo(8);
            List<TimelineEntry> timeline = postroom.get(id).orElseThrow().timeline();
            assertThat(timeline).extracting(TimelineEntry::state)
                    .containsExactly(MessageState.READY, MessageState.IN_FLIGHT, MessageState.SUCCEEDED);
            assertThat(timeline).extracting(TimelineEntry::reason).containsExactly("sent", "leased", "acked");
            assertThat(timeline).extracting(TimelineEntry::attempt).containsExactly(0, 1, 1);
            assertThat(timeline).extracting(TimelineEntry::node).containsOnly("node-a");
            assertThat(timeline.get(1).at()).isBeforeOrEqualTo(timeline.get(2).at()).isAfterOrEqualTo(timeline.get(0).at());
        }
    }

    @Test
    void aStepOffTheHappyPathWritesTheImpliedEntriesOutFirst() throws Exception {
        String retried;
        String nacked;
        try (Postroom postroom = open("node-a")) {
            retried = postroom.send(QUEUE, Map.of("n", 1)).join().id();
            ReceivedMessage first = receiveOne(postroom);
            postroom.ack(first.id(), first.leaseId(), null);
            postroom.retry(retried);
            assertThat(postroom.get(retried).orElseThrow().timeline()).extracting(TimelineEntry::reason)
                    .startsWith("sent", "leased", "acked").hasSize(4);

            ReceivedMessage again = receiveOne(postroom);
            postroom.nack(again.id(), again.leaseId(), "boom", null, Duration.ofHours(1));
            assertThat(postroom.get(retried).orElseThrow().timeline()).extracting(TimelineEntry::state)
                    .containsExactly(MessageState.READY, MessageState.IN_FLIGHT, MessageState.SUCCEEDED,
                            MessageState.READY, MessageState.IN_FLIGHT, MessageState.SCHEDULED);

            nacked = postroom.send(QUEUE, Map.of("n", 2)).join().id();
            ReceivedMessage fresh = receiveOne(postroom);
            assertThat(fresh.id()).isEqualTo(nacked);
            postroom.nack(fresh.id(), fresh.leaseId(), "boom", null, Duration.ofHours(1));
            assertThat(postroom.get(nacked).orElseThrow().timeline()).extracting(TimelineEntry::state)
                    .containsExactly(MessageState.READY, MessageState.IN_FLIGHT, MessageState.SCHEDULED);
        }
        assertThat(storedTimeline(retried)).startsWith("[[").contains("\"acked\"").doesNotContain("\"state\"");
        assertThat(storedTimeline(nacked)).startsWith("[[").contains("\"leased\"");
    }

    @Test
    void anAckByAnotherNodeThanTheSenderStoresItsEntries() throws Exception {
        String id;
        try (Postroom postroom = open("node-a")) {
            id = postroom.send(QUEUE, Map.of("n", 1)).join().id();
        }
        try (Postroom postroom = open("node-b")) {
            ReceivedMessage received = receiveOne(postroom);
            postroom.ack(received.id(), received.leaseId(), null);
            assertThat(postroom.get(id).orElseThrow().timeline()).extracting(TimelineEntry::node)
                    .containsExactly("node-a", "node-b", "node-b");
        }
        assertThat(storedTimeline(id)).startsWith("[[").contains("\"node-a\"").contains("\"node-b\"");
    }

    @Test
    void aDelayedSendStoresItsEntry() throws Exception {
        try (Postroom postroom = open("node-a")) {
            String id = postroom.send(QUEUE, Map.of("n", 1), SendOptions.builder().delay(Duration.ofHours(1)).build()).join().id();
            assertThat(storedTimeline(id)).startsWith("[[").contains("\"SCHEDULED\"");
        }
    }

    @Test
    void aTimelineWrittenAsObjectsBeforeAnUpgradeReadsWithTheEntriesAddedAfterIt() throws Exception {
        String id;
        try (Postroom postroom = open("node-a")) {
            id = postroom.send(QUEUE, Map.of("n", 1)).join().id();
        }
        Instant sentAt = Instant.parse("2026-11-30T10:15:30.123Z");
        rewriteTimeline(id, "[{\"at\":" + sentAt.toEpochMilli() + ",\"state\":\"READY\",\"node\":\"old-node\",\"attempt\":0,\"reason\":\"sent\"}]");

        try (Postroom postroom = open("node-a")) {
            ReceivedMessage received = receiveOne(postroom);
            postroom.ack(received.id(), received.leaseId(), null);
            Message message = postroom.get(id).orElseThrow();

            List<TimelineEntry> timeline = message.timeline();
            assertThat(timeline).hasSize(3);
            assertThat(timeline.getFirst()).isEqualTo(new TimelineEntry(sentAt, MessageState.READY, "old-node", 0, "sent"));
            assertThat(timeline).extracting(TimelineEntry::state)
                    .containsExactly(MessageState.READY, MessageState.IN_FLIGHT, MessageState.SUCCEEDED);
            assertThat(timeline.get(2).attempt()).isEqualTo(1);
            assertThat(timeline.get(2).node()).isNotNull();
        }
        assertThat(storedTimeline(id)).startsWith("[{").contains("},[");
    }

    private Postroom open(String node) {
        Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(dir)).node(node).build();
        postroom.createQueue(QUEUE, QueuePolicy.DEFAULT);
        return postroom;
    }

    private static ReceivedMessage receiveOne(Postroom postroom) throws InterruptedException {
        return postroom.receive(QUEUE, new ReceiveOptions(1, Duration.ZERO, Duration.ofSeconds(30))).getFirst();
    }

    /** The bytes the messages table's leaf pages hold: the one row of a test and its page's overhead. */
    private long messageBytes() throws Exception {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT sum(pgsize - unused) FROM dbstat WHERE name = 'messages' AND pagetype = 'leaf'")) {
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private String storedTimeline(String id) throws Exception {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("SELECT timeline FROM messages WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private void rewriteTimeline(String id, String timeline) throws Exception {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("UPDATE messages SET timeline = ? WHERE id = ?")) {
            ps.setString(1, timeline);
            ps.setString(2, id);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("postroom.db"));
    }
}
