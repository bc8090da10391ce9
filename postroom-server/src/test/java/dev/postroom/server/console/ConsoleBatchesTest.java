package dev.postroom.server.console;

import dev.postroom.BatchOptions;
import dev.postroom.BatchResult;
import dev.postroom.OutgoingMessage;
import dev.postroom.Postroom;
import dev.postroom.ReceiveOptions;
import dev.postroom.ReceivedMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The batch pages over plain HTTP: the list, a batch's counts and members, and the links between batch and messages. */
class ConsoleBatchesTest {
    @RegisterExtension
    static final ConsoleFixture console = new ConsoleFixture();

    private static BatchResult sendBatch(String queue, int members, BatchOptions options) {
        return console.postroom().batches().send(queue,
                java.util.stream.IntStream.range(0, members).mapToObj(i -> OutgoingMessage.of(Map.of("n", i))).toList(), options).join();
    }

    @Test
    void aBatchPageShowsItsCountsAndMembersAndEachMemberLinksBack() throws InterruptedException {
        String queue = ConsoleFixture.uniqueQueue("cbatch");
        String done = ConsoleFixture.uniqueQueue("cbatch-done");
        Postroom postroom = console.postroom();
        postroom.createQueue(queue);
        postroom.createQueue(done);
        BatchResult batch = sendBatch(queue, 3, BatchOptions.onComplete(done, "all done"));
        ReceivedMessage first = postroom.receive(queue, new ReceiveOptions(1, Duration.ofSeconds(1), null)).getFirst();
        postroom.ack(first.id(), first.leaseId(), null);
        ConsoleClient client = console.signIn("viewer");

        ConsoleClient.Page page = client.get("/console/batches/" + batch.batchId());

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("<td class=\"num\" id=\"batch-pending\">2</td>", "<td class=\"num\" id=\"batch-succeeded\">1</td>")
                .contains("hx-trigger=\"every 1s\"");
        for (String member : batch.messageIds()) {
            assertThat(page.body()).contains("href=\"/console/messages/" + member + "\"");
        }
        assertThat(client.get("/console/messages/" + first.id()).body())
                .contains("<a id=\"batch-link\" href=\"/console/batches/" + batch.batchId() + "\">");
        assertThat(client.get("/console/batches").body()).contains("href=\"/console/batches/" + batch.batchId() + "\"");
    }

    @Test
    void aCompleteBatchLinksToItsCompletionMessageWhichLinksBack() {
        String queue = ConsoleFixture.uniqueQueue("cdone");
        String done = ConsoleFixture.uniqueQueue("cdone-report");
        Postroom postroom = console.postroom();
        postroom.createQueue(queue);
        postroom.createQueue(done);
        BatchResult batch = sendBatch(queue, 1, BatchOptions.onComplete(done, "all done"));
        postroom.cancel(batch.messageIds().getFirst());

        await().atMost(Duration.ofSeconds(30)).until(() -> postroom.batches().get(batch.batchId()).isComplete());
        String completion = postroom.batches().get(batch.batchId()).completionMessageId();
        ConsoleClient client = console.signIn("viewer");
        ConsoleClient.Page page = client.get("/console/batches/" + batch.batchId());

        assertThat(page.body()).contains("<a id=\"completion-message\" href=\"/console/messages/" + completion + "\">")
                .contains("<td class=\"num\" id=\"batch-cancelled\">1</td>")
                .doesNotContain("hx-trigger=\"every 1s\"");
        assertThat(client.get("/console/messages/" + completion).body())
                .contains("<a id=\"completes-batch\" href=\"/console/batches/" + batch.batchId() + "\">");
    }

    @Test
    void anUnknownBatchIsANotFoundPage() {
        ConsoleClient.Page page = console.signIn("viewer").get("/console/batches/01a00000-0000-7000-8000-000000000000");

        assertThat(page.status()).isEqualTo(404);
        assertThat(page.body()).contains("<html").contains("batch not found");
    }

    @Test
    void theNavigationLeadsToBatches() {
        assertThat(console.signIn("viewer").get("/console").body()).contains("<a href=\"/console/batches\"");
    }
}
