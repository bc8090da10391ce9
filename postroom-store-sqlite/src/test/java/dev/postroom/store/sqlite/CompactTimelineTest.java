package dev.postroom.store.sqlite;

import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import dev.postroom.ReceiveOptions;
import dev.postroom.ReceivedMessage;
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
 * The embedded store writes timeline entries as compact arrays, and still reads the objects that
 * stores written before it hold: a message sent before an upgrade and settled after it has both.
 */
class CompactTimelineTest {
    private static final String QUEUE = "work";

    @TempDir
    Path dir;

    @Test
    void entriesAreStoredAsArrays() throws Exception {
        String id;
        try (Postroom postroom = open()) {
            id = postroom.send(QUEUE, Map.of("n", 1)).join().id();
        }
        assertThat(storedTimeline(id)).startsWith("[[").contains("\"READY\"").contains("\"sent\"").doesNotContain("\"state\"");
    }

    @Test
    void aTimelineWrittenAsObjectsBeforeAnUpgradeReadsWithTheEntriesAddedAfterIt() throws Exception {
        String id;
        try (Postroom postroom = open()) {
            id = postroom.send(QUEUE, Map.of("n", 1)).join().id();
        }
        Instant sentAt = Instant.parse("2026-11-30T10:15:30.123Z");
        rewriteTimeline(id, "[{\"at\":" + sentAt.toEpochMilli() + ",\"state\":\"READY\",\"node\":\"old-node\",\"attempt\":0,\"reason\":\"sent\"}]");

        try (Postroom postroom = open()) {
            ReceivedMessage received = postroom.receive(QUEUE, new ReceiveOptions(1, Duration.ZERO, Duration.ofSeconds(30))).getFirst();
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

    private Postroom open() {
        Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(dir)).build();
        postroom.createQueue(QUEUE, QueuePolicy.DEFAULT);
        return postroom;
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
