package dev.postroom.server.console;

import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import dev.postroom.ReceiveOptions;
import dev.postroom.ReceivedMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class DeadLetterPagesTest {
    private static final String TIMEOUT = "Timeout calling the bank after 30 s";
    private static final String DECLINED = "Card declined";

    @RegisterExtension
    static final ConsoleFixture console = new ConsoleFixture();

    /** A queue with two kinds of dead messages: three timeouts (multi-line errors) and two declines. */
    record DeadQueue(String name, List<String> timeouts, List<String> declined) {
    }

    static DeadQueue deadQueue() {
        String queue = ConsoleFixture.uniqueQueue("payments");
        console.postroom().createQueue(queue, QueuePolicy.DEFAULT.withMaxAttempts(1));
        List<String> timeouts = kill(queue, TIMEOUT + "\n\tat Bank.charge(Bank.java:42)", 3, "acme");
        List<String> declined = kill(queue, DECLINED, 2, "globex");
        return new DeadQueue(queue, timeouts, declined);
    }

    /** Sends {@code count} messages and fails each once with {@code error}, which kills them (one attempt allowed). */
    static List<String> kill(String queue, String error, int count, String tenant) {
        Postroom postroom = console.postroom();
        for (int i = 0; i < count; i++) {
            postroom.send(queue, Map.of("tenant", tenant, "n", i)).join();
        }
        List<String> ids = new ArrayList<>();
        try {
            while (ids.size() < count) {
                for (ReceivedMessage m : postroom.receive(queue, new ReceiveOptions(count, Duration.ofSeconds(1), null))) {
                    assertThat(postroom.nack(m.id(), m.leaseId(), error, null, null)).isEqualTo(MessageState.DEAD);
                    ids.add(m.id());
                }
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return ids;
    }

    static MessageState state(String id) {
        return console.postroom().get(id).map(Message::state).orElse(null);
    }

    static ConsoleClient.Page awaitFinished(ConsoleClient client, String jobPath) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> client.get(jobPath), page -> page.text().contains("Finished at"));
    }

    @Test
    void deadMessagesAreGroupedByTheFirstLineOfTheirLastError() {
        DeadQueue queue = deadQueue();
        ConsoleClient.Page page = console.signIn("viewer").get("/console/dead?queue=" + queue.name());
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.text()).contains(queue.name() + " 5", TIMEOUT + " 3 ", DECLINED + " 2 ", "5 dead grouped")
                .doesNotContain("Bank.charge");
        assertThat(page.body()).contains("/console/messages/" + queue.declined().get(1));
    }

    @Test
    void aQueueWithoutDeadMessagesSaysSoFriendly() {
        String queue = ConsoleFixture.uniqueQueue("healthy");
        console.postroom().createQueue(queue);
        ConsoleClient.Page page = console.signIn("viewer").get("/console/dead?queue=" + queue);
        assertThat(page.text()).contains("No dead messages in this queue — nice.");
    }

    @Test
    void previewCountsExactlyTheGroupAndChangesNothing() {
        DeadQueue queue = deadQueue();
        ConsoleClient client = console.signIn("operator");
        client.get("/console/dead?queue=" + queue.name());
        ConsoleClient.Page preview = client.post("/console/dead/preview", Map.of("queue", queue.name(), "group", TIMEOUT));
        assertThat(preview.status()).as(preview.body()).isEqualTo(200);
        assertThat(preview.text()).contains("3 dead messages match", "Redrive 3 messages", "Delete 3 messages");
        assertThat(preview.body()).contains(queue.timeouts().toArray(String[]::new))
                .doesNotContain(queue.declined().toArray(String[]::new))
                .contains("name=\"expected\" value=\"3\"");
        assertThat(console.postroom().queue(queue.name()).counts().dead()).isEqualTo(5);
    }

    @Test
    void previewFiltersByTextAsWell() {
        DeadQueue queue = deadQueue();
        kill(queue.name(), DECLINED, 1, "acme");
        ConsoleClient client = console.signIn("operator");
        ConsoleClient.Page preview = client.post("/console/dead/preview", Map.of("queue", queue.name(), "group", DECLINED, "q", "acme"));
        assertThat(preview.text()).contains("1 dead message matches", "Redrive 1 message").doesNotContain("Redrive 1 messages");
    }

    @Test
    void redriveOfOneGroupMakesExactlyThoseReady() {
        DeadQueue queue = deadQueue();
        ConsoleClient client = console.signIn("operator");
        ConsoleClient.Page started = client.post("/console/dead/redrive", Map.of("queue", queue.name(), "group", DECLINED, "expected", "2"));
        assertThat(started.status()).as(started.body()).isEqualTo(303);
        assertThat(started.location()).startsWith("/console/jobs/");

        ConsoleClient.Page job = awaitFinished(client, started.location());
        assertThat(job.text()).contains("2 of 2 matching messages redriven", "Matched 2", "Redriven 2", "Skipped (changed meanwhile) 0");
        assertThat(job.body()).contains("<progress").doesNotContain("hx-trigger");
        assertThat(queue.declined()).allSatisfy(id -> assertThat(state(id)).isEqualTo(MessageState.READY));
        assertThat(queue.timeouts()).allSatisfy(id -> assertThat(state(id)).isEqualTo(MessageState.DEAD));
        var entries = console.audit().browse(dev.postroom.server.audit.AuditQuery.builder().target(queue.name()).build()).entries();
        assertThat(entries).extracting(e -> e.action()).contains("dead.redrive.start", "dead.redrive");
        assertThat(entries).allSatisfy(e -> assertThat(e.actor()).isEqualTo("user:operator"));
        assertThat(entries.stream().filter(e -> e.action().equals("dead.redrive")).findFirst().orElseThrow().detail())
                .contains("\"done\":2");
    }

    @Test
    void deleteRemovesExactlyTheFilteredOnes() {
        DeadQueue queue = deadQueue();
        List<String> acmeDeclined = kill(queue.name(), DECLINED, 2, "acme");
        ConsoleClient client = console.signIn("operator");
        ConsoleClient.Page started = client.post("/console/dead/delete", Map.of("queue", queue.name(), "group", DECLINED, "q", "acme", "expected", "2"));
        assertThat(started.status()).isEqualTo(303);

        assertThat(awaitFinished(client, started.location()).text()).contains("2 of 2 matching messages deleted");
        assertThat(acmeDeclined).allSatisfy(id -> assertThat(console.postroom().get(id)).isEqualTo(Optional.empty()));
        assertThat(queue.declined()).allSatisfy(id -> assertThat(state(id)).isEqualTo(MessageState.DEAD));
        assertThat(queue.timeouts()).allSatisfy(id -> assertThat(state(id)).isEqualTo(MessageState.DEAD));
    }

    @Test
    void aBulkJobOnlyTouchesMessagesStillDead() {
        DeadQueue queue = deadQueue();
        console.postroom().retry(queue.timeouts().get(0)); // redriven by hand after the preview
        ConsoleClient client = console.signIn("operator");
        ConsoleClient.Page started = client.post("/console/dead/delete", Map.of("queue", queue.name(), "group", TIMEOUT, "expected", "3"));
        assertThat(awaitFinished(client, started.location()).text()).contains("2 of 2 matching messages deleted");
        assertThat(state(queue.timeouts().get(0))).isEqualTo(MessageState.READY);
    }

    @Test
    void theJobFragmentPollsOnlyWhileTheJobRuns() {
        DeadQueue queue = deadQueue();
        ConsoleClient client = console.signIn("operator");
        String job = client.post("/console/dead/redrive", Map.of("queue", queue.name(), "expected", "5")).location();
        awaitFinished(client, job);
        ConsoleClient.Page fragment = client.get(job + "/progress");
        assertThat(fragment.status()).isEqualTo(200);
        assertThat(fragment.body()).contains("id=\"job-progress\"", "<progress max=\"5\" value=\"5\"").doesNotContain("hx-get", "<html");
        assertThat(fragment.text()).contains("5 of 5 matching messages redriven");
    }

    @Test
    void aViewerMaySeeDeadLettersAndJobsButNotActOnThem() {
        DeadQueue queue = deadQueue();
        String job = console.signIn("operator").post("/console/dead/redrive", Map.of("queue", queue.name(), "group", DECLINED)).location();
        ConsoleClient viewer = console.signIn("viewer");
        ConsoleClient.Page page = viewer.get("/console/dead?queue=" + queue.name());
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).doesNotContain("/console/dead/preview");
        assertThat(viewer.get(job).status()).isEqualTo(200);
        Map<String, String> filter = Map.of("queue", queue.name(), "group", TIMEOUT, "expected", "3");
        for (String action : List.of("preview", "redrive", "delete")) {
            ConsoleClient.Page refused = viewer.post("/console/dead/" + action, filter);
            assertThat(refused.status()).as(action).isEqualTo(403);
            assertThat(refused.text()).contains("needs the operator role");
        }
        assertThat(queue.timeouts()).allSatisfy(id -> assertThat(state(id)).isEqualTo(MessageState.DEAD));
    }

    @Test
    void aPostWithoutCsrfTokenIsRefused() {
        DeadQueue queue = deadQueue();
        ConsoleClient client = console.signIn("operator");
        Map<String, String> filter = Map.of("queue", queue.name(), "expected", "5");
        for (String action : List.of("preview", "redrive", "delete")) {
            assertThat(client.postWithoutCsrf("/console/dead/" + action, filter).status()).as(action).isEqualTo(403);
        }
        assertThat(console.postroom().queue(queue.name()).counts().dead()).isEqualTo(5);
    }

    @Test
    void badFiltersAreRefusedNamingTheField() {
        DeadQueue queue = deadQueue();
        ConsoleClient client = console.signIn("operator");
        ConsoleClient.Page noQueue = client.post("/console/dead/preview", Map.of("group", DECLINED));
        assertThat(noQueue.status()).isEqualTo(400);
        assertThat(noQueue.text()).contains("queue: choose the queue");
        ConsoleClient.Page badTime = client.post("/console/dead/preview", Map.of("queue", queue.name(), "since", "yesterday"));
        assertThat(badTime.status()).isEqualTo(400);
        assertThat(badTime.text()).contains("since: \"yesterday\" is not a time");
        ConsoleClient.Page badCount = client.post("/console/dead/delete", Map.of("queue", queue.name(), "expected", "many"));
        assertThat(badCount.status()).isEqualTo(400);
        assertThat(badCount.text()).contains("expected");
        assertThat(console.postroom().queue(queue.name()).counts().dead()).isEqualTo(5);
    }

    @Test
    void anUnknownJobIsNotFound() {
        assertThat(console.signIn("viewer").get("/console/jobs/no-such-job").status()).isEqualTo(404);
    }

    @Test
    void errorMessagesAreEscaped() {
        String queue = ConsoleFixture.uniqueQueue("escaping");
        console.postroom().createQueue(queue, QueuePolicy.DEFAULT.withMaxAttempts(1));
        kill(queue, "<script>alert(1)</script>", 1, "acme");
        ConsoleClient client = console.signIn("operator");
        ConsoleClient.Page page = client.get("/console/dead?queue=" + queue);
        assertThat(page.body()).doesNotContain("<script>alert(1)").contains("&lt;script&gt;alert(1)&lt;/script&gt;");
        ConsoleClient.Page preview = client.post("/console/dead/preview", Map.of("queue", queue, "group", "<script>alert(1)</script>"));
        assertThat(preview.text()).contains("1 dead message matches");
        assertThat(preview.body()).doesNotContain("<script>alert(1)").contains("&lt;script&gt;alert(1)&lt;/script&gt;");
    }

    @Test
    void aFinishedJobIsHandedOverOnceWithItsCountsForTheAuditLog() {
        DeadQueue queue = deadQueue();
        BulkJobs jobs = new BulkJobs(console.postroom(), InstantSource.system());
        List<BulkJob> finished = new CopyOnWriteArrayList<>();
        BulkJob job = jobs.start(BulkJob.Kind.REDRIVE, new DeadLetterFilter(queue.name(), TIMEOUT, "", "", ""), 3, "user:operator", finished::add);
        await().atMost(Duration.ofSeconds(20)).until(() -> !job.isRunning());
        await().atMost(Duration.ofSeconds(5)).until(() -> finished.size() == 1);
        assertThat(finished.get(0)).isSameAs(job);
        assertThat(List.of(job.matched(), job.done(), job.skipped(), job.failed())).containsExactly(3L, 3L, 0L, 0L);
        assertThat(new DeadLetterFilter(queue.name(), TIMEOUT, "", "", "").detail())
                .containsOnlyKeys("queue", "group", "text", "since", "until");
    }

    @Test
    void onlyTheNewestFinishedJobsAreKept() {
        String queue = ConsoleFixture.uniqueQueue("forgotten");
        console.postroom().createQueue(queue);
        BulkJobs jobs = new BulkJobs(console.postroom(), InstantSource.system());
        DeadLetterFilter filter = new DeadLetterFilter(queue, "", "", "", "");
        List<BulkJob> started = new ArrayList<>();
        for (int i = 0; i <= BulkJobs.KEEP_FINISHED; i++) {
            BulkJob job = jobs.start(BulkJob.Kind.DELETE, filter, 0, "user:operator", done -> {
            });
            await().atMost(Duration.ofSeconds(20)).until(() -> !job.isRunning());
            started.add(job);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> jobs.find(started.get(0).id()).isEmpty());
        assertThat(started.subList(1, started.size())).allSatisfy(job -> assertThat(jobs.find(job.id())).contains(job));
    }

    @Test
    void anErrorGroupIsTheTrimmedFirstLineOfTheError() {
        assertThat(ErrorGroup.keyOf("  Timeout  \n\tat Bank.charge")).isEqualTo("Timeout");
        assertThat(ErrorGroup.keyOf(null)).isEqualTo(ErrorGroup.NO_ERROR);
        assertThat(ErrorGroup.keyOf(" \n ")).isEqualTo(ErrorGroup.NO_ERROR);
        assertThat(ErrorGroup.keyOf("x".repeat(500))).hasSize(ErrorGroup.MAX_KEY_CHARS);
        assertThat(ErrorGroup.keyOf("x".repeat(ErrorGroup.MAX_KEY_CHARS))).hasSize(ErrorGroup.MAX_KEY_CHARS);
    }
}
