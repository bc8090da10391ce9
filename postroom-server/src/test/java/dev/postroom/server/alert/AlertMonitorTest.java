package dev.postroom.server.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.MessageSummary;
import dev.postroom.NodeStatus;
import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import dev.postroom.ReceiveOptions;
import dev.postroom.ReceivedMessage;
import dev.postroom.server.auth.AuthDatabase;
import dev.postroom.store.sqlite.SqliteMessageStore;
import dev.postroom.tck.FakeClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The monitor's decisions, one pass at a time on a fake clock: what it queues on
 * {@value WebhookDeliveries#QUEUE} (no handler runs here; {@link WebhookDeliveryTest} covers the
 * sending), how often, and for which queues.
 */
class AlertMonitorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;
    private final FakeClock clock = new FakeClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final List<NodeStatus> nodes = new CopyOnWriteArrayList<>();
    private Postroom postroom;
    private AuthDatabase database;
    private WebhookStore webhooks;
    private DeadLetterFeed feed;
    private WebhookDeliveries deliveries;
    private AlertMonitor monitor;

    @BeforeEach
    void start() {
        feed = new DeadLetterFeed();
        postroom = Postroom.builder().store(SqliteMessageStore.open(dir.resolve("data"))).clock(clock)
                .maintenanceInterval(null).listener(feed).build();
        database = AuthDatabase.sqlite(dir);
        webhooks = new WebhookStore(database);
        postroom.createQueue(WebhookDeliveries.QUEUE, WebhookDeliveries.POLICY);
        deliveries = new WebhookDeliveries(postroom, webhooks);
        monitor = new AlertMonitor(postroom, webhooks, deliveries, feed, Duration.ofSeconds(1), Duration.ofMinutes(10), () -> nodes);
    }

    @AfterEach
    void stop() {
        deliveries.close();
        postroom.close();
        database.close();
    }

    @Test
    void staleQueueAlertsOncePerEpisodeAndAgainAfterItClearedForTheCoolDown() {
        put("ops", List.of("queue.stale"), null, "json", 60L, null);
        postroom.createQueue("reports");
        postroom.send("reports", "{}").join();
        monitor.pass();
        assertThat(queued()).isEmpty();

        clock.advance(Duration.ofSeconds(61));
        monitor.pass();
        clock.advance(Duration.ofSeconds(30));
        monitor.pass();

        assertThat(queued()).singleElement().satisfies(call -> {
            assertThat(call.get("webhook").asText()).isEqualTo("ops");
            JsonNode body = body(call);
            assertThat(body.get("event").asText()).isEqualTo("queue.stale");
            assertThat(body.get("queue").asText()).isEqualTo("reports");
            assertThat(body.at("/detail/oldestReadySeconds").asLong()).isGreaterThanOrEqualTo(60);
            assertThat(body.at("/detail/staleSeconds").asLong()).isEqualTo(60);
        });

        postroom.purge("reports", Set.of(MessageState.READY));
        monitor.pass();
        assertThat(webhooks.episodes()).isEmpty();

        postroom.send("reports", "{}").join();
        clock.advance(AlertMonitor.COOL_DOWN);
        monitor.pass();
        assertThat(queued()).hasSize(2);
    }

    @Test
    void aConditionBackWithinTheCoolDownContinuesItsEpisodeWithoutAlertingAgain() {
        put("ops", List.of("queue.stale"), null, "json", 60L, null);
        postroom.createQueue("reports");
        postroom.send("reports", "{}").join();
        clock.advance(Duration.ofSeconds(61));
        monitor.pass();
        assertThat(queued()).hasSize(1);

        // another node, or this one at the threshold's edge, sees it cleared, then it holds again: one episode
        for (int flap = 0; flap < 3; flap++) {
            postroom.purge("reports", Set.of(MessageState.READY));
            monitor.pass();
            assertThat(webhooks.episodes()).as("ended").isEmpty();
            postroom.send("reports", "{}").join();
            clock.advance(Duration.ofSeconds(61));
            monitor.pass();
            assertThat(webhooks.episodes()).as("reopened").hasSize(1);
        }

        assertThat(queued()).hasSize(1);
    }

    @Test
    void anEpisodeMarkedWhoseDeliveryWasLostIsQueuedByTheNextPassOnlyOnce() {
        put("ops", List.of("node.down"), null, "json", null, null);
        nodes.add(node("web-2", NodeStatus.State.DEAD));
        WebhookStore.Episode episode = new WebhookStore.Episode("ops", AlertEvent.NODE_DOWN, "web-2");
        // as if a node had committed the mark and crashed before its delivery was queued
        assertThat(webhooks.startEpisode(episode, clock.instant(), AlertMonitor.COOL_DOWN)).isTrue();
        assertThat(queued()).isEmpty();

        clock.advance(Duration.ofSeconds(5));
        monitor.pass();
        clock.advance(Duration.ofSeconds(5));
        monitor.pass();

        assertThat(queued()).singleElement().satisfies(call -> assertThat(body(call).get("node").asText()).isEqualTo("web-2"));
    }

    @Test
    void readyMessagesTakenCountAsConsumptionEvenWhenRetentionPurgedWhatFinished() throws InterruptedException {
        put("ops", List.of("queue.unconsumed"), null, "json", null, 60L);
        postroom.createQueue("orders");
        for (int i = 0; i < 3; i++) {
            postroom.send("orders", "{}").join();
        }
        monitor.pass();
        clock.advance(Duration.ofSeconds(30));
        ReceivedMessage taken = postroom.receive("orders", ReceiveOptions.DEFAULTS).getFirst();
        postroom.ack(taken.id(), taken.leaseId(), null);
        postroom.purge("orders", Set.of(MessageState.SUCCEEDED)); // what retention does between two passes

        monitor.pass();
        clock.advance(Duration.ofSeconds(40));
        monitor.pass();

        assertThat(queued()).as("consumed 40 s ago, within the 60 s").isEmpty();
    }

    @Test
    void aDeadDeliveryRaisesNoAlertEvenForAWebhookOfEveryQueue() throws InterruptedException {
        put("all", List.of("message.dead"), null, "json", null, null);
        postroom.createQueue(WebhookDeliveries.QUEUE, WebhookDeliveries.POLICY.withMaxAttempts(1));
        monitor.pass();
        kill(WebhookDeliveries.QUEUE, "receiver away");

        monitor.pass();
        clock.advance(Duration.ofSeconds(5));
        monitor.pass();

        assertThat(postroom.queue(WebhookDeliveries.QUEUE).counts().dead()).isEqualTo(1);
        assertThat(queued()).isEmpty();
    }

    @Test
    void aDeletedDeliveriesQueueIsCreatedAgainForTheNextAlert() {
        put("ops", List.of("node.down"), null, "json", null, null);
        postroom.deleteQueue(WebhookDeliveries.QUEUE, true);
        nodes.add(node("web-2", NodeStatus.State.DEAD));

        monitor.pass();

        assertThat(queued()).singleElement().satisfies(call -> assertThat(body(call).get("event").asText()).isEqualTo("node.down"));
    }

    @Test
    void unconsumedQueueAlertsOnceOnlyForQueuesTheGlobsName() {
        put("ops", List.of("queue.unconsumed"), List.of("orders*"), "json", null, 60L);
        postroom.createQueue("orders.eu");
        postroom.createQueue("other");
        postroom.createQueue("orders.paused");
        postroom.pause("orders.paused");
        for (String queue : List.of("orders.eu", "other", "orders.paused")) {
            postroom.send(queue, "{}").join();
        }
        monitor.pass(); // the first look: nobody watched before it

        clock.advance(Duration.ofSeconds(61));
        monitor.pass();
        monitor.pass();

        assertThat(queued()).singleElement().satisfies(call -> {
            JsonNode body = body(call);
            assertThat(body.get("event").asText()).isEqualTo("queue.unconsumed");
            assertThat(body.get("queue").asText()).isEqualTo("orders.eu");
            assertThat(body.at("/detail/ready").asLong()).isEqualTo(1);
        });
    }

    @Test
    void consumptionEndsAnUnconsumedEpisode() throws InterruptedException {
        put("ops", List.of("queue.unconsumed"), null, "json", null, 60L);
        postroom.createQueue("orders");
        postroom.send("orders", "{}").join();
        postroom.send("orders", "{}").join();
        monitor.pass();
        clock.advance(Duration.ofSeconds(61));
        monitor.pass();
        assertThat(webhooks.episodes()).hasSize(1);

        ReceivedMessage taken = postroom.receive("orders", ReceiveOptions.DEFAULTS).getFirst();
        postroom.ack(taken.id(), taken.leaseId(), null);
        monitor.pass();

        assertThat(webhooks.episodes()).isEmpty();
        assertThat(queued()).hasSize(1);
    }

    @Test
    void nodeDownAlertsOncePerEpisode() {
        put("ops", List.of("node.down"), List.of("billing.*"), "json", null, null);
        nodes.add(node("web-2", NodeStatus.State.DEAD));
        monitor.pass();
        monitor.pass();
        assertThat(queued()).singleElement().satisfies(call -> {
            JsonNode body = body(call);
            assertThat(body.get("event").asText()).isEqualTo("node.down");
            assertThat(body.get("node").asText()).as("queue globs do not filter node events").isEqualTo("web-2");
            assertThat(body.has("queue")).isFalse();
        });

        // alive again, but its heartbeat at the edge of the threshold: the episode goes on
        nodes.set(0, new NodeStatus("web-2", clock.instant(), clock.instant().minusSeconds(10), "host-b", 42, NodeStatus.State.ALIVE));
        monitor.pass();
        assertThat(webhooks.episodes()).hasSize(1);
        nodes.set(0, new NodeStatus("web-2", clock.instant(), clock.instant().minusSeconds(1), "host-b", 42, NodeStatus.State.ALIVE));
        monitor.pass();
        assertThat(webhooks.episodes()).isEmpty();
        nodes.set(0, node("web-2", NodeStatus.State.DEAD));
        monitor.pass();
        assertThat(queued()).as("down again within the cool-down: the same episode").hasSize(1);

        nodes.set(0, new NodeStatus("web-2", clock.instant(), clock.instant(), "host-b", 42, NodeStatus.State.ALIVE));
        monitor.pass();
        clock.advance(AlertMonitor.COOL_DOWN);
        nodes.set(0, node("web-2", NodeStatus.State.DEAD));
        monitor.pass();

        assertThat(queued()).hasSize(2);
    }

    @Test
    void slackFormatSendsOneReadableLine() {
        put("chat", List.of("node.down"), null, "slack", null, null);
        nodes.add(node("web-2", NodeStatus.State.DEAD));
        monitor.pass();

        JsonNode body = body(queued().getFirst());
        assertThat(body.size()).isEqualTo(1);
        assertThat(body.get("text").asText()).startsWith(":rotating_light: Postroom node.down: node web-2 (host-b, pid 42) missed its heartbeats")
                .doesNotContain("\n");
    }

    @Test
    void slackTextEscapesItsControlCharacters() throws InterruptedException {
        put("chat", List.of("message.dead"), null, "slack", null, null);
        postroom.createQueue("billing", QueuePolicy.DEFAULT.withMaxAttempts(1));
        kill("billing", "<!channel> card & bank <declined>");

        monitor.pass();

        assertThat(body(queued().getFirst()).get("text").asText()).endsWith(": &lt;!channel&gt; card &amp; bank &lt;declined&gt;")
                .doesNotContain("<").doesNotContain(">");
    }

    @Test
    void repeatingAWebhooksSettingsKeepsItsEpisodesAndChangingThemStartsAfresh() {
        put("ops", List.of("node.down"), null, "json", null, null);
        nodes.add(node("web-2", NodeStatus.State.DEAD));
        monitor.pass();
        assertThat(queued()).hasSize(1);

        put("ops", List.of("node.down"), null, "json", null, null);
        webhooks.put(WebhookSpec.of("ops", "http://127.0.0.1:9/hook", List.of("node.down"), null, "json", null, null), true, clock.instant());
        clock.advance(Duration.ofSeconds(5)); // an episode started again now would have a new key, and a second delivery
        monitor.pass();
        assertThat(webhooks.episodes()).hasSize(1);
        assertThat(queued()).as("an unchanged PUT, a rotation: no new alert").hasSize(1);

        put("ops", List.of("node.down"), null, "json", 600L, null);
        clock.advance(Duration.ofSeconds(5));
        monitor.pass();
        assertThat(queued()).as("new thresholds start afresh").hasSize(2);
    }

    @Test
    void concurrentPutsOfANewNameMakeOneWebhook() throws Exception {
        List<java.util.concurrent.Future<WebhookStore.Saved>> puts = new ArrayList<>();
        try (var threads = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            for (int i = 0; i < 8; i++) {
                puts.add(threads.submit(() -> {
                    go.await();
                    return webhooks.put(WebhookSpec.of("race", "http://127.0.0.1:9/hook", List.of("node.down"), null, null, null, null),
                            false, clock.instant());
                }));
            }
            go.countDown();
        }
        List<WebhookStore.Saved> saved = new ArrayList<>();
        for (var put : puts) {
            saved.add(put.get());
        }
        assertThat(saved).filteredOn(WebhookStore.Saved::created).singleElement().satisfies(s -> assertThat(s.secret()).startsWith("whsec_"));
        assertThat(saved).filteredOn(s -> !s.created()).allSatisfy(s -> assertThat(s.secret()).isNull());
        assertThat(webhooks.list()).extracting(Webhook::name).containsExactly("race");
    }

    @Test
    void registrationsAreCapped() {
        for (int i = 0; i < WebhookStore.MAX_WEBHOOKS; i++) {
            put("hook-" + i, List.of("node.down"), null, "json", null, null);
        }

        assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(dev.postroom.InvalidMessageException.class,
                () -> put("one-too-many", List.of("node.down"), null, "json", null, null)).field()).isEqualTo("name");
        put("hook-0", List.of("node.down", "queue.stale"), null, "json", null, null); // replacing one is fine
        assertThat(webhooks.list()).hasSize(WebhookStore.MAX_WEBHOOKS);
    }

    @Test
    void aDeathHeardAndScannedIsOneAlertAndOnlyForMatchingQueues() throws InterruptedException {
        put("billing", List.of("message.dead"), List.of("billing.*"), "json", null, null);
        QueuePolicy once = QueuePolicy.DEFAULT.withMaxAttempts(1);
        postroom.createQueue("billing.refunds", once);
        postroom.createQueue("other", once);
        String dead = kill("billing.refunds", "card declined");
        kill("other", "ignored");
        postroom.createQueue(WebhookDeliveries.QUEUE, WebhookDeliveries.POLICY.withMaxAttempts(1));
        kill(WebhookDeliveries.QUEUE, "a delivery that died raises nothing");

        monitor.pass();
        clock.advance(Duration.ofSeconds(5));
        monitor.pass();

        assertThat(queued()).singleElement().satisfies(call -> {
            JsonNode body = body(call);
            assertThat(body.get("event").asText()).isEqualTo("message.dead");
            assertThat(body.get("queue").asText()).isEqualTo("billing.refunds");
            assertThat(body.get("messageId").asText()).isEqualTo(dead);
            assertThat(body.at("/detail/lastError").asText()).isEqualTo("card declined");
            assertThat(body.get("summary").asText()).contains("is DEAD after 1 attempt: card declined");
        });
    }

    @Test
    void aDeathNoListenerHeardIsFoundByTheScan() throws InterruptedException {
        put("billing", List.of("message.dead"), null, "json", null, null);
        postroom.createQueue("billing.refunds", QueuePolicy.DEFAULT.withMaxAttempts(1));
        monitor.pass();
        String dead = kill("billing.refunds", "boom");
        feed.drain(); // as if another node had settled it

        monitor.pass();

        assertThat(queued()).singleElement().satisfies(call -> assertThat(body(call).get("messageId").asText()).isEqualTo(dead));
    }

    @Test
    void deletingAWebhookForgetsItsEpisodes() {
        put("ops", List.of("node.down"), null, "json", null, null);
        nodes.add(node("web-2", NodeStatus.State.DEAD));
        monitor.pass();
        assertThat(webhooks.episodes()).hasSize(1);

        assertThat(webhooks.delete("ops")).isTrue();

        assertThat(webhooks.episodes()).isEmpty();
        assertThat(webhooks.list()).isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    private void put(String name, List<String> events, List<String> queues, String format, Long stale, Long unconsumed) {
        webhooks.put(WebhookSpec.of(name, "http://127.0.0.1:9/hook", events, queues, format, stale, unconsumed), false, clock.instant());
    }

    /** Takes one message of {@code queue} and fails it for good. */
    private String kill(String queue, String error) throws InterruptedException {
        String id = postroom.send(queue, "{}").join().id();
        ReceivedMessage taken = postroom.receive(queue, ReceiveOptions.DEFAULTS).getFirst();
        assertThat(taken.id()).isEqualTo(id);
        assertThat(postroom.nack(id, taken.leaseId(), error, null, null)).isEqualTo(MessageState.DEAD);
        return id;
    }

    private static NodeStatus node(String name, NodeStatus.State state) {
        Instant at = Instant.parse("2026-12-01T09:59:00Z");
        return new NodeStatus(name, at, at, "host-b", 42, state);
    }

    /** The delivery payloads queued so far, oldest first. */
    private List<JsonNode> queued() {
        List<MessageSummary> summaries = postroom.browse(MessageQuery.builder().queue(WebhookDeliveries.QUEUE)
                .state(MessageState.READY).limit(500).build()).messages();
        List<JsonNode> calls = new ArrayList<>();
        for (MessageSummary summary : summaries.reversed()) {
            calls.add(read(postroom.get(summary.id()).orElseThrow().payloadJson()));
        }
        return calls;
    }

    private static JsonNode body(JsonNode call) {
        return read(call.get("body").asText());
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
