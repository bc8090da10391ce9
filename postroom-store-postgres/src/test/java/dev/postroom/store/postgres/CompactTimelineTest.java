package dev.postroom.store.postgres;

import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import dev.postroom.ReceiveOptions;
import dev.postroom.ReceivedMessage;
import dev.postroom.TimelineEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A message on the happy path (sent READY, leased, acked by the node that leased it) stores no
 * timeline and reads the entries its columns imply; the first step off that path writes them out
 * as compact arrays and appends to them; a timeline written as objects before an upgrade reads on
 * with the entries added after it, which are never dated before its last object.
 */
class CompactTimelineTest {
    private static final String QUEUE = "work";

    private TestDatabase.Schema schema;
    private Postroom postroom;

    @BeforeEach
    void open() {
        schema = TestDatabase.newSchema();
        postroom = Postroom.builder().store(PostgresMessageStore.open(schema.options())).node("node-a").build();
        postroom.createQueue(QUEUE, QueuePolicy.DEFAULT);
    }

    @AfterEach
    void close() {
        if (postroom != null) {
            postroom.close();
        }
        if (schema != null) {
            schema.drop();
        }
    }

    @Test
    void theHappyPathStoresNoEntriesAndReadsAllThree() throws Exception {
        String id = postroom.send(QUEUE, Map.of("n", 1)).join().id();
        assertThat(storedTimeline(id)).isNull();
        assertThat(postroom.get(id).orElseThrow().timeline()).extracting(TimelineEntry::reason).containsExactly("sent");

        ReceivedMessage received = receiveOne();
        assertThat(storedTimeline(id)).isNull();
        assertThat(postroom.get(id).orElseThrow().timeline()).extracting(TimelineEntry::reason).containsExactly("sent", "leased");
        postroom.ack(received.id(), received.leaseId(), null);

        assertThat(storedTimeline(id)).isNull();
        List<TimelineEntry> timeline = postroom.get(id).orElseThrow().timeline();
        assertThat(timeline).extracting(TimelineEntry::state)
                .containsExactly(MessageState.READY, MessageState.IN_FLIGHT, MessageState.SUCCEEDED);
        assertThat(timeline).extracting(TimelineEntry::attempt).containsExactly(0, 1, 1);
        assertThat(timeline).extracting(TimelineEntry::node).containsOnly("node-a");
        assertThat(timeline).extracting(TimelineEntry::at).isSorted();
    }

    @Test
    void aStepOffTheHappyPathWritesTheImpliedEntriesOut() throws Exception {
        String nacked = postroom.send(QUEUE, Map.of("n", 1)).join().id();
        ReceivedMessage first = receiveOne();
        postroom.nack(first.id(), first.leaseId(), "boom", null, Duration.ofHours(1));

        assertThat(postroom.get(nacked).orElseThrow().timeline()).extracting(TimelineEntry::state)
                .containsExactly(MessageState.READY, MessageState.IN_FLIGHT, MessageState.SCHEDULED);
        assertThat(storedTimeline(nacked)).startsWith("[[").contains("\"leased\"").doesNotContain("\"state\"");

        String delayed = postroom.send(QUEUE, Map.of("n", 2), dev.postroom.SendOptions.builder().delay(Duration.ofHours(1)).build()).join().id();
        assertThat(storedTimeline(delayed)).startsWith("[[").contains("\"SCHEDULED\"");
    }

    @Test
    void anAckByAnotherNodeThanTheLeaseHolderStoresItsEntries() throws Exception {
        String id = postroom.send(QUEUE, Map.of("n", 1)).join().id();
        ReceivedMessage received = receiveOne();
        try (Postroom other = Postroom.builder().store(PostgresMessageStore.open(schema.options())).node("node-b").build()) {
            other.ack(received.id(), received.leaseId(), null);
        }
        assertThat(postroom.get(id).orElseThrow().timeline()).extracting(TimelineEntry::node)
                .containsExactly("node-a", "node-a", "node-b");
        assertThat(storedTimeline(id)).startsWith("[[").contains("\"node-b\"");
    }

    @Test
    void aTimelineWrittenAsObjectsReadsOnWithTheEntriesAddedAfterIt() throws Exception {
        String id = postroom.send(QUEUE, Map.of("n", 1)).join().id();
        // Dated ahead of the clock: the entries appended next must not be dated before it.
        Instant sentAt = Instant.now().plus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        rewriteTimeline(id, "[{\"at\": " + sentAt.toEpochMilli() + ", \"state\": \"READY\", \"node\": \"old-node\", \"attempt\": 0, \"reason\": \"sent\"}]");

        ReceivedMessage received = receiveOne();
        postroom.ack(received.id(), received.leaseId(), null);
        Message message = postroom.get(id).orElseThrow();

        List<TimelineEntry> timeline = message.timeline();
        assertThat(timeline).extracting(TimelineEntry::state)
                .containsExactly(MessageState.READY, MessageState.IN_FLIGHT, MessageState.SUCCEEDED);
        assertThat(timeline.getFirst()).isEqualTo(new TimelineEntry(sentAt, MessageState.READY, "old-node", 0, "sent"));
        assertThat(timeline).extracting(TimelineEntry::at).allSatisfy(at -> assertThat(at).isAfterOrEqualTo(sentAt));
        assertThat(timeline.get(2).attempt()).isEqualTo(1);
        assertThat(storedTimeline(id)).startsWith("[{").contains("}, [");
    }

    private ReceivedMessage receiveOne() throws InterruptedException {
        return postroom.receive(QUEUE, new ReceiveOptions(1, Duration.ZERO, Duration.ofSeconds(30))).getFirst();
    }

    private String storedTimeline(String id) throws Exception {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("SELECT timeline::text FROM " + schema.name() + ".messages WHERE id = ?")) {
            ps.setObject(1, UUID.fromString(id));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private void rewriteTimeline(String id, String timeline) throws Exception {
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement("UPDATE " + schema.name() + ".messages SET timeline = ?::jsonb WHERE id = ?")) {
            ps.setString(1, timeline);
            ps.setObject(2, UUID.fromString(id));
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection(schema.url());
    }
}
