package dev.postroom.server.console;

import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import dev.postroom.RawJson;
import dev.postroom.ReceiveOptions;
import dev.postroom.ReceivedMessage;
import dev.postroom.server.audit.AuditEntry;
import dev.postroom.server.audit.AuditQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The archive pages over plain HTTP: the list with its filters, an archived message's page, and
 * an operator's replay through its preview page to its progress page, audited; a viewer sees no
 * replay form.
 */
class ConsoleArchiveTest {
    @RegisterExtension
    static final ConsoleFixture console = new ConsoleFixture();

    /** A message of {@code queue} sent, acked and moved to the archive at once; its id. */
    private static String archived(String queue, String order) throws InterruptedException {
        Postroom postroom = console.postroom();
        postroom.createQueue(queue, QueuePolicy.DEFAULT.withRetention(Duration.ZERO).withArchive(Duration.ofDays(1)));
        String id = postroom.send(queue, Map.of("order", order)).join().id();
        ReceivedMessage received = postroom.receive(queue, new ReceiveOptions(1, Duration.ofSeconds(1), null)).getFirst();
        postroom.ack(id, received.leaseId(), new RawJson("{\"refunded\":true}"));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            postroom.runMaintenance();
            return postroom.archive().get(id).isPresent();
        });
        return id;
    }

    @Test
    void anOperatorFindsArchivedRefundsAndReplaysThemAfterAPreview() throws InterruptedException {
        String queue = ConsoleFixture.uniqueQueue("refunds");
        String id = archived(queue, "o-7");
        ConsoleClient operator = console.signIn("operator");

        ConsoleClient.Page list = operator.get("/console/archive?queue=" + queue + "&state=SUCCEEDED");
        assertThat(list.text()).contains(id, "o-7");
        assertThat(list.body()).contains("id=\"replay-form\"");
        assertThat(operator.get("/console/archive/" + id).text()).contains("o-7", "refunded", "State succeeded");

        ConsoleClient.Page preview = operator.post("/console/replays", Map.of("queue", queue, "state", "SUCCEEDED", "q", "o-7"));
        assertThat(preview.status()).as(preview.body()).isEqualTo(200);
        assertThat(preview.text()).contains("1 finished message matches", id);
        assertThat(console.postroom().queue(queue).counts().ready()).as("a preview sends nothing").isZero();

        ConsoleClient.Page started = operator.post("/console/replays", Map.of("queue", queue, "state", "SUCCEEDED", "q", "o-7", "confirm", "yes"));

        assertThat(started.status()).isEqualTo(303);
        assertThat(started.location()).startsWith("/console/replays/");
        String replay = started.location().substring("/console/replays/".length());
        await().atMost(Duration.ofSeconds(30)).until(() -> operator.get(started.location()).text().contains("SUCCEEDED"));
        assertThat(operator.get(started.location()).text()).contains("1 of 1");
        assertThat(console.postroom().queue(queue).counts().ready()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> console.audit().browse(AuditQuery.builder().target(replay).build()).entries().size() == 2);
        assertThat(console.audit().browse(AuditQuery.builder().target(replay).build()).entries()).extracting(AuditEntry::action)
                .containsExactlyInAnyOrder("replay.start", "replay.end");
    }

    @Test
    void aViewerBrowsesTheArchiveButIsOfferedNoReplay() throws InterruptedException {
        String queue = ConsoleFixture.uniqueQueue("exports");
        String id = archived(queue, "o-8");
        ConsoleClient viewer = console.signIn("viewer");

        ConsoleClient.Page list = viewer.get("/console/archive?queue=" + queue);

        assertThat(list.text()).contains(id);
        assertThat(list.body()).doesNotContain("replay-form");
        assertThat(viewer.post("/console/replays", Map.of("queue", queue)).status()).isEqualTo(403);
    }
}
