package dev.postroom.server.console;

import dev.postroom.Backoff;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.KeyLimit;
import dev.postroom.QueuePolicy;
import dev.postroom.RateLimit;
import dev.postroom.RawJson;
import dev.postroom.ReceiveOptions;
import dev.postroom.ReceivedMessage;
import dev.postroom.SendOptions;
import dev.postroom.StateCounts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class QueuePagesTest {
    private static final QueuePolicy ONE_ATTEMPT = QueuePolicy.DEFAULT.withMaxAttempts(1);

    @RegisterExtension
    static final ConsoleFixture console = new ConsoleFixture();

    @Test
    void pageShowsCountsPolicyChartsAndNewestMessages() throws InterruptedException {
        String queue = ConsoleFixture.uniqueQueue("shown");
        postroom().createQueue(queue, new QueuePolicy(1, new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(120), 3.0),
                Duration.ofSeconds(45), 7, Duration.ofHours(12), Duration.ofHours(48)));
        String first = send(queue, "{\"n\":1}");
        send(queue, "{\"n\":2}");
        send(queue, "{\"n\":3}");
        postroom().send(queue, new RawJson("{\"later\":true}"), SendOptions.builder().delay(Duration.ofHours(1)).build()).join();
        kill(queue, 1);

        ConsoleClient.Page page = console.signIn("viewer").get("/console/queues/" + queue);

        assertThat(page.status()).isEqualTo(200);
        assertThat(counts(page)).isEqualTo("Scheduled Ready In flight Succeeded Dead Cancelled 1 2 0 0 1 0");
        assertThat(page.body()).contains("href=\"/console/dead?queue=" + queue + "\"");
        assertThat(page.text()).contains("Max attempts 1", "Backoff 2 s, ×3 per attempt, at most 120 s", "Lease 45 s",
                "Concurrency 7 in flight at once", "Retention 12 h for succeeded and cancelled, 48 h for dead");
        assertThat(page.body()).contains(
                "data-chart=\"throughput\" data-series=\"/console/series.json?window=15m&amp;queue=" + queue + "\"",
                "data-chart=\"latency\" data-series=\"/console/series.json?window=15m&amp;queue=" + queue + "\"");
        assertThat(page.body()).contains("/console/messages/" + first, "<td class=\"preview\">{\"later\":true}</td>");
        assertThat(page.body()).contains("<a href=\"/console/messages?queue=" + queue + "\">All messages in this queue</a>");
        assertThat(page.text()).doesNotContain("paused");
    }

    @Test
    void theOverviewLinksEachQueueToItsPage() {
        String queue = ConsoleFixture.uniqueQueue("linked");
        postroom().createQueue(queue);
        assertThat(console.signIn("viewer").get("/console").body()).contains("href=\"/console/queues/" + queue + "\"");
    }

    @Test
    void anEmptyQueueSaysSoKindly() {
        String queue = ConsoleFixture.uniqueQueue("empty");
        postroom().createQueue(queue);
        assertThat(console.signIn("viewer").get("/console/queues/" + queue).text()).contains("No messages in this queue");
    }

    @Test
    void payloadPreviewsAreEscaped() {
        String queue = ConsoleFixture.uniqueQueue("escaped");
        postroom().createQueue(queue);
        send(queue, "{\"note\":\"<script>alert(1)</script>\"}");

        ConsoleClient.Page page = console.signIn("viewer").get("/console/queues/" + queue);

        assertThat(page.body()).doesNotContain("<script>alert(1)").contains("&lt;script&gt;alert(1)&lt;/script&gt;");
    }

    @Test
    void anUnknownQueueIs404() {
        ConsoleClient.Page page = console.signIn("viewer").get("/console/queues/never-made");
        assertThat(page.status()).isEqualTo(404);
        assertThat(page.text()).contains("Not found", "never-made");
    }

    @Test
    void anOperatorPausesAndResumes() {
        String queue = ConsoleFixture.uniqueQueue("paused");
        postroom().createQueue(queue);
        ConsoleClient operator = console.signIn("operator");
        operator.get("/console/queues/" + queue);

        ConsoleClient.Page paused = operator.post("/console/queues/" + queue + "/pause");

        assertThat(paused.status()).isEqualTo(303);
        assertThat(paused.location()).isEqualTo("/console/queues/" + queue);
        assertThat(postroom().queue(queue).paused()).isTrue();
        ConsoleClient.Page page = operator.get("/console/queues/" + queue);
        assertThat(page.body()).contains("id=\"paused\"", "/console/queues/" + queue + "/resume");
        assertThat(page.text()).contains("Paused " + queue);

        ConsoleClient.Page resumed = operator.post("/console/queues/" + queue + "/resume");

        assertThat(resumed.status()).isEqualTo(303);
        assertThat(postroom().queue(queue).paused()).isFalse();
        assertThat(operator.get("/console/queues/" + queue).text()).contains("Resumed " + queue);
    }

    @Test
    void aViewerSeesNoActionsAndIsRefusedEachOne() {
        String queue = ConsoleFixture.uniqueQueue("viewed");
        postroom().createQueue(queue, ONE_ATTEMPT);
        send(queue, "{}");
        kill(queue, 1);
        ConsoleClient viewer = console.signIn("viewer");
        ConsoleClient.Page page = viewer.get("/console/queues/" + queue);

        assertThat(page.body()).doesNotContain("/pause\"", "/resume\"", "/purge\"", "/policy\"", "id=\"policy-form\"");
        assertThat(viewer.post("/console/queues/" + queue + "/pause").status()).isEqualTo(403);
        assertThat(viewer.post("/console/queues/" + queue + "/resume").status()).isEqualTo(403);
        assertThat(viewer.get("/console/queues/" + queue + "/purge").status()).isEqualTo(403);
        assertThat(viewer.post("/console/queues/" + queue + "/purge", Map.of("states", "DEAD")).status()).isEqualTo(403);
        assertThat(viewer.post("/console/queues/" + queue + "/policy", policyForm(Map.of("maxAttempts", "9"))).status()).isEqualTo(403);
        assertThat(postroom().queue(queue).paused()).isFalse();
        assertThat(postroom().queue(queue).counts().dead()).isEqualTo(1);
        assertThat(postroom().queue(queue).policy()).isEqualTo(ONE_ATTEMPT);
    }

    @Test
    void anOperatorSeesPauseAndPurgeButNotThePolicyForm() {
        String queue = ConsoleFixture.uniqueQueue("operated");
        postroom().createQueue(queue);
        ConsoleClient.Page page = console.signIn("operator").get("/console/queues/" + queue);
        assertThat(page.body()).contains("/console/queues/" + queue + "/pause\"", "/console/queues/" + queue + "/purge\"")
                .doesNotContain("id=\"policy-form\"");
        assertThat(console.signIn("admin").get("/console/queues/" + queue).body()).contains("id=\"policy-form\"");
    }

    @Test
    void thePurgeConfirmationShowsEachStatesCurrentCountAndTheTotal() {
        String queue = ConsoleFixture.uniqueQueue("confirmed");
        postroom().createQueue(queue, ONE_ATTEMPT);
        for (int i = 0; i < 5; i++) {
            send(queue, "{}");
        }
        kill(queue, 3);

        ConsoleClient.Page page = console.signIn("operator").get("/console/queues/" + queue + "/purge?states=DEAD&states=READY");

        assertThat(page.status()).isEqualTo(200);
        assertThat(checkbox(page, "DEAD")).contains("checked", "data-count=\"3\"");
        assertThat(checkbox(page, "READY")).contains("checked", "data-count=\"2\"");
        assertThat(checkbox(page, "SUCCEEDED")).doesNotContain("checked").contains("data-count=\"0\"");
        assertThat(checkbox(page, "IN_FLIGHT")).isNull();
        assertThat(page.text()).contains("dead 3", "ready 2", "Messages to remove: 5 (of 5 in all these states)");
        assertThat(page.body()).contains("data-confirm=");
    }

    @Test
    void purgingDeadRemovesOnlyDeadMessages() {
        String queue = ConsoleFixture.uniqueQueue("purged");
        postroom().createQueue(queue, ONE_ATTEMPT);
        for (int i = 0; i < 4; i++) {
            send(queue, "{}");
        }
        kill(queue, 2);
        ConsoleClient operator = console.signIn("operator");
        operator.get("/console/queues/" + queue + "/purge");

        ConsoleClient.Page purged = operator.post("/console/queues/" + queue + "/purge", Map.of("states", "DEAD"));

        assertThat(purged.status()).isEqualTo(303);
        assertThat(purged.location()).isEqualTo("/console/queues/" + queue);
        StateCounts counts = postroom().queue(queue).counts();
        assertThat(counts.dead()).isZero();
        assertThat(counts.ready()).isEqualTo(2);
        assertThat(operator.get("/console/queues/" + queue).text()).contains("Purged 2 messages");
    }

    @Test
    void purgingWithNoStateTickedIs422AndRemovesNothing() {
        String queue = ConsoleFixture.uniqueQueue("unticked");
        postroom().createQueue(queue, ONE_ATTEMPT);
        send(queue, "{}");
        send(queue, "{}");
        kill(queue, 1);
        ConsoleClient operator = console.signIn("operator");
        operator.get("/console/queues/" + queue + "/purge");

        ConsoleClient.Page refused = operator.post("/console/queues/" + queue + "/purge", Map.of());

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.text()).contains("states", "nothing was removed");
        assertThat(postroom().queue(queue).counts()).isEqualTo(new StateCounts(0, 1, 0, 0, 1, 0));
    }

    @Test
    void inFlightMessagesCannotBePurged() throws InterruptedException {
        String queue = ConsoleFixture.uniqueQueue("leased");
        postroom().createQueue(queue);
        send(queue, "{}");
        postroom().receive(queue, ReceiveOptions.DEFAULTS);
        ConsoleClient operator = console.signIn("operator");
        operator.get("/console/queues/" + queue);

        ConsoleClient.Page refused = operator.post("/console/queues/" + queue + "/purge", Map.of("states", "IN_FLIGHT"));

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.text()).contains("IN_FLIGHT", "cannot be purged");
        assertThat(postroom().queue(queue).counts().inFlight()).isEqualTo(1);
    }

    @Test
    void anOperatorCannotChangeThePolicy() {
        String queue = ConsoleFixture.uniqueQueue("guarded");
        postroom().createQueue(queue);
        ConsoleClient operator = console.signIn("operator");
        operator.get("/console/queues/" + queue);

        ConsoleClient.Page refused = operator.post("/console/queues/" + queue + "/policy", policyForm(Map.of("maxAttempts", "9")));

        assertThat(refused.status()).isEqualTo(403);
        assertThat(postroom().queue(queue).policy()).isEqualTo(QueuePolicy.DEFAULT);
    }

    @Test
    void anAdminSavesThePolicy() {
        String queue = ConsoleFixture.uniqueQueue("tuned");
        postroom().createQueue(queue);
        ConsoleClient admin = console.signIn("admin");
        admin.get("/console/queues/" + queue);

        ConsoleClient.Page saved = admin.post("/console/queues/" + queue + "/policy", policyForm(Map.of(
                "maxAttempts", "9", "backoff.initialSeconds", "0.5", "backoff.maxSeconds", "90", "backoff.multiplier", "1.5",
                "leaseSeconds", "120", "concurrency", "3", "retentionHours", "2", "deadRetentionHours", "0.5")));

        assertThat(saved.status()).isEqualTo(303);
        assertThat(saved.location()).isEqualTo("/console/queues/" + queue);
        assertThat(postroom().queue(queue).policy()).isEqualTo(new QueuePolicy(9,
                new Backoff(Duration.ofMillis(500), Duration.ofSeconds(90), 1.5), Duration.ofMinutes(2), 3,
                Duration.ofHours(2), Duration.ofMinutes(30)));
        ConsoleClient.Page page = admin.get("/console/queues/" + queue);
        assertThat(page.text()).contains("Policy saved", "Max attempts 9", "Backoff 0.5 s, ×1.5 per attempt, at most 90 s");
        assertThat(page.text()).contains("At rest stored as sent");
    }

    @Test
    void anEncryptedQueueSaysSoAndKeepsItsEncryptionAndArchiveWhenThePolicyFormIsSaved() {
        String queue = ConsoleFixture.uniqueQueue("vault");
        postroom().createQueue(queue, QueuePolicy.DEFAULT.withEncrypted(true).withArchive(Duration.ofDays(30)));
        ConsoleClient admin = console.signIn("admin");
        assertThat(admin.get("/console/queues/" + queue).text()).contains("At rest payloads and results encrypted (AES-256-GCM)");

        admin.post("/console/queues/" + queue + "/policy", policyForm(Map.of(
                "maxAttempts", "9", "backoff.initialSeconds", "0.5", "backoff.maxSeconds", "90", "backoff.multiplier", "1.5",
                "leaseSeconds", "120", "concurrency", "3", "retentionHours", "2", "deadRetentionHours", "0.5")));

        assertThat(postroom().queue(queue).policy().encrypted()).isTrue();
        assertThat(postroom().queue(queue).policy().archive()).as("saving the form must not drop, and so empty, the archive")
                .isEqualTo(Duration.ofDays(30));
        assertThat(postroom().queue(queue).policy().maxAttempts()).isEqualTo(9);
    }

    @Test
    void anAdminSetsAndClearsTheLimitsOnThePolicyForm() {
        String queue = ConsoleFixture.uniqueQueue("limited");
        postroom().createQueue(queue);
        ConsoleClient admin = console.signIn("admin");
        admin.get("/console/queues/" + queue);

        ConsoleClient.Page saved = admin.post("/console/queues/" + queue + "/policy", policyForm(Map.of(
                "rateLimit.count", "100", "rateLimit.perSeconds", "60", "perKey.header", "tenant", "perKey.maxInFlight", "2",
                "perKey.rateLimit.count", "5", "perKey.rateLimit.perSeconds", "0.5")));

        assertThat(saved.status()).isEqualTo(303);
        assertThat(postroom().queue(queue).policy()).isEqualTo(QueuePolicy.DEFAULT
                .withRateLimit(new RateLimit(100, Duration.ofMinutes(1)))
                .withPerKey(KeyLimit.byHeader("tenant").withMaxInFlight(2).withRateLimit(new RateLimit(5, Duration.ofMillis(500)))));
        ConsoleClient.Page page = admin.get("/console/queues/" + queue);
        assertThat(page.text()).contains("100 per 60 s; per header tenant: 2 in flight, 5 per 0.5 s, handed out round-robin across keys");
        assertThat(page.body()).contains("name=\"rateLimit.count\" value=\"100\"", "name=\"perKey.header\" value=\"tenant\"");

        ConsoleClient.Page cleared = admin.post("/console/queues/" + queue + "/policy", policyForm(Map.of()));

        assertThat(cleared.status()).isEqualTo(303);
        assertThat(postroom().queue(queue).policy()).isEqualTo(QueuePolicy.DEFAULT);
        assertThat(admin.get("/console/queues/" + queue).text()).contains("Limits no rate limit");
    }

    @Test
    void halfALimitIs422NamingTheMissingFieldAndChangesNothing() {
        String queue = ConsoleFixture.uniqueQueue("half");
        postroom().createQueue(queue);
        ConsoleClient admin = console.signIn("admin");
        admin.get("/console/queues/" + queue);

        ConsoleClient.Page noInterval = admin.post("/console/queues/" + queue + "/policy", policyForm(Map.of("rateLimit.count", "5")));
        ConsoleClient.Page headerOnly = admin.post("/console/queues/" + queue + "/policy", policyForm(Map.of("perKey.header", "tenant")));
        ConsoleClient.Page zero = admin.post("/console/queues/" + queue + "/policy", policyForm(Map.of("perKey.maxInFlight", "0")));

        assertThat(noInterval.status()).isEqualTo(422);
        assertThat(noInterval.text()).contains("rateLimit.perSeconds: is required with rateLimit.count", "The policy was not changed");
        assertThat(noInterval.body()).containsPattern("name=\"rateLimit.perSeconds\"[^>]*aria-invalid=\"true\"")
                .contains("name=\"rateLimit.count\" value=\"5\"");
        assertThat(headerOnly.status()).isEqualTo(422);
        assertThat(headerOnly.text()).contains("perKey: set a per-key maximum in flight or rate limit");
        assertThat(zero.status()).isEqualTo(422);
        assertThat(zero.text()).contains("perKey.maxInFlight: must be 1–10000, was 0");
        assertThat(postroom().queue(queue).policy()).isEqualTo(QueuePolicy.DEFAULT);
    }

    @Test
    void anOutOfRangePolicyIs422NamingTheFieldAndChangesNothing() {
        String queue = ConsoleFixture.uniqueQueue("zero");
        postroom().createQueue(queue);
        ConsoleClient admin = console.signIn("admin");
        admin.get("/console/queues/" + queue);

        ConsoleClient.Page refused = admin.post("/console/queues/" + queue + "/policy",
                policyForm(Map.of("maxAttempts", "0", "concurrency", "3")));

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.text()).contains("maxAttempts: must be 1–1000, was 0", "The policy was not changed");
        assertThat(refused.body()).contains("name=\"maxAttempts\" value=\"0\"", "name=\"concurrency\" value=\"3\"")
                .containsPattern("name=\"maxAttempts\"[^>]*aria-invalid=\"true\"");
        assertThat(postroom().queue(queue).policy()).isEqualTo(QueuePolicy.DEFAULT);
    }

    @Test
    void aPolicyValueThatIsNotANumberIs422NamingTheField() {
        String queue = ConsoleFixture.uniqueQueue("abc");
        postroom().createQueue(queue);
        ConsoleClient admin = console.signIn("admin");
        admin.get("/console/queues/" + queue);

        ConsoleClient.Page notANumber = admin.post("/console/queues/" + queue + "/policy", policyForm(Map.of("maxAttempts", "abc")));
        ConsoleClient.Page fractional = admin.post("/console/queues/" + queue + "/policy", policyForm(Map.of("concurrency", "2.5")));
        ConsoleClient.Page inverted = admin.post("/console/queues/" + queue + "/policy",
                policyForm(Map.of("backoff.initialSeconds", "60", "backoff.maxSeconds", "10")));
        ConsoleClient.Page huge = admin.post("/console/queues/" + queue + "/policy", policyForm(Map.of("retentionHours", "1e300")));

        assertThat(notANumber.status()).isEqualTo(422);
        assertThat(notANumber.text()).contains("maxAttempts: must be a number");
        assertThat(notANumber.body()).contains("value=\"abc\"");
        assertThat(fractional.status()).isEqualTo(422);
        assertThat(fractional.text()).contains("concurrency: must be a whole number");
        assertThat(inverted.status()).isEqualTo(422);
        assertThat(inverted.text()).contains("backoff.maxSeconds: must be at least the initial delay");
        assertThat(huge.status()).isEqualTo(422);
        assertThat(huge.text()).contains("retentionHours");
        assertThat(postroom().queue(queue).policy()).isEqualTo(QueuePolicy.DEFAULT);
    }

    @Test
    void postsWithoutTheCsrfTokenAreRefused() {
        String queue = ConsoleFixture.uniqueQueue("forged");
        postroom().createQueue(queue, ONE_ATTEMPT);
        send(queue, "{}");
        kill(queue, 1);
        ConsoleClient admin = console.signIn("admin");

        assertThat(admin.postWithoutCsrf("/console/queues/" + queue + "/pause", Map.of()).status()).isEqualTo(403);
        assertThat(admin.postWithoutCsrf("/console/queues/" + queue + "/purge", Map.of("states", "DEAD")).status()).isEqualTo(403);
        assertThat(admin.postWithoutCsrf("/console/queues/" + queue + "/policy", policyForm(Map.of("maxAttempts", "9"))).status())
                .isEqualTo(403);
        assertThat(postroom().queue(queue).paused()).isFalse();
        assertThat(postroom().queue(queue).counts().dead()).isEqualTo(1);
        assertThat(postroom().queue(queue).policy()).isEqualTo(ONE_ATTEMPT);
    }

    private static Postroom postroom() {
        return console.postroom();
    }

    private static String send(String queue, String json) {
        return postroom().send(queue, new RawJson(json)).join().id();
    }

    /** Leases {@code n} ready messages and fails them; on a one-attempt queue they end DEAD. */
    private static void kill(String queue, int n) {
        try {
            List<ReceivedMessage> leased = postroom().receive(queue, new ReceiveOptions(n, Duration.ZERO, null));
            assertThat(leased).hasSize(n);
            for (ReceivedMessage m : leased) {
                assertThat(postroom().nack(m.id(), m.leaseId(), "boom", null, null)).isEqualTo(MessageState.DEAD);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The policy form as the page fills it for {@link QueuePolicy#DEFAULT}, with {@code changes}. */
    private static Map<String, String> policyForm(Map<String, String> changes) {
        Map<String, String> form = new HashMap<>();
        PolicyForm.of(QueuePolicy.DEFAULT).values().forEach((name, value) -> form.put(name, String.valueOf(value)));
        form.putAll(changes);
        return form;
    }

    /** The text of the counts table, tags removed. */
    private static String counts(ConsoleClient.Page page) {
        Matcher m = Pattern.compile("id=\"counts\">(.*?)</table>", Pattern.DOTALL).matcher(page.body());
        assertThat(m.find()).as("counts table in %s", page.body()).isTrue();
        return m.group(1).replaceAll("<[^>]*>", " ").replaceAll("\\s+", " ").strip();
    }

    /** The purge checkbox for {@code state}, or null when there is none. */
    private static String checkbox(ConsoleClient.Page page, String state) {
        Matcher m = Pattern.compile("<input type=\"checkbox\" name=\"states\" value=\"" + state + "\"[^>]*>").matcher(page.body());
        return m.find() ? m.group() : null;
    }
}
