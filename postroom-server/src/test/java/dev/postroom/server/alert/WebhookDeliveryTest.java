package dev.postroom.server.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.Backoff;
import dev.postroom.Message;
import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.MessageSummary;
import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import dev.postroom.server.auth.AuthDatabase;
import dev.postroom.store.sqlite.SqliteMessageStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Alerts end to end on the embedded store: a handler's message dies, the monitor notices, and a
 * local receiver gets the signed delivery, through failures, retries and downtime. The monitor runs
 * every 100 ms and deliveries back off from 50 ms so that each test takes a second or two.
 */
class WebhookDeliveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;
    private Postroom postroom;
    private AuthDatabase database;
    private WebhookStore webhooks;
    private Alerts alerts;
    private Receiver receiver;

    private void start(int deliveryAttempts) {
        start(deliveryAttempts, WebhookDeliveries.REQUEST_TIMEOUT);
    }

    private void start(int deliveryAttempts, Duration deliveryTimeout) {
        DeadLetterFeed feed = new DeadLetterFeed();
        postroom = Postroom.builder().store(SqliteMessageStore.open(dir.resolve("data"))).listener(feed)
                .maintenanceInterval(Duration.ofMillis(50)).build();
        database = AuthDatabase.sqlite(dir);
        webhooks = new WebhookStore(database);
        QueuePolicy quick = WebhookDeliveries.POLICY.withMaxAttempts(deliveryAttempts)
                .withBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), 2.0));
        alerts = Alerts.start(postroom, webhooks, feed, new Alerts.Settings(Duration.ofMillis(100), quick, Duration.ofMinutes(10), deliveryTimeout));
        postroom.createQueue("billing.refunds", QueuePolicy.DEFAULT.withMaxAttempts(1));
        postroom.handle("billing.refunds", JsonNode.class, delivery -> {
            throw new IllegalStateException("card declined");
        });
    }

    @AfterEach
    void stop() {
        if (receiver != null) {
            receiver.close();
        }
        if (alerts != null) {
            alerts.close();
        }
        if (postroom != null) {
            postroom.close();
        }
        if (alerts != null) {
            alerts.closeDeliveries();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void aDeadMessageAlertArrivesSignedWithTheWebhookSecret() throws Exception {
        start(5);
        receiver = Receiver.start(n -> 204);
        String secret = register(receiver.url());

        String id = postroom.send("billing.refunds", "{\"order\":7}").join().id();

        await().until(() -> receiver.requests().size() == 1);
        Receiver.Request request = receiver.requests().getFirst();
        String header = request.header(Signature.HEADER);
        assertThat(header).matches("t=\\d+,v1=[0-9a-f]{64}");
        String t = header.substring(2, header.indexOf(','));
        assertThat(Math.abs(Instant.now().getEpochSecond() - Long.parseLong(t))).isLessThan(300);
        assertThat(header.substring(header.indexOf("v1=") + 3)).isEqualTo(hmacHex(secret, t + "." + request.body()));
        assertThat(Signature.verify(secret, header, request.body(), Instant.now(), Duration.ofMinutes(5))).isTrue();
        assertThat(Signature.verify(secret + "x", header, request.body(), Instant.now(), Duration.ofMinutes(5))).isFalse();
        assertThat(Signature.verify(secret, header, request.body() + " ", Instant.now(), Duration.ofMinutes(5))).isFalse();
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("Postroom-Event")).isEqualTo("message.dead");
        JsonNode body = JSON.readTree(request.body());
        assertThat(body.get("event").asText()).isEqualTo("message.dead");
        assertThat(body.get("messageId").asText()).isEqualTo(id);
        assertThat(body.get("queue").asText()).isEqualTo("billing.refunds");
        assertThat(body.at("/detail/lastError").asText()).isEqualTo("IllegalStateException: card declined");
    }

    @Test
    void aFailingReceiverIsRetriedWithBackoffUntilItAnswers() throws Exception {
        start(10);
        receiver = Receiver.start(n -> n <= 3 ? 500 : 200);
        register(receiver.url());

        postroom.send("billing.refunds", "{}").join();

        await().until(() -> receiver.requests().size() == 4);
        assertThat(receiver.requests()).extracting(r -> r.header("Postroom-Delivery")).containsOnly(receiver.requests().getFirst().header("Postroom-Delivery"));
        String deliveryId = receiver.requests().getFirst().header("Postroom-Delivery");
        await().until(() -> postroom.get(deliveryId).map(m -> m.state() == MessageState.SUCCEEDED).orElse(false));
        Message delivery = postroom.get(deliveryId).orElseThrow();
        assertThat(delivery.attempt()).isEqualTo(4);
        assertThat(delivery.errors()).hasSize(3).allSatisfy(e -> assertThat(e.message()).contains("answered HTTP 500"));
        // backoff: each retry waited at least the queue's backoff after the failure before it (the
        // store's timestamps, to the millisecond; the jitter scales a delay by 0.8 at the least)
        Backoff backoff = postroom.queue(WebhookDeliveries.QUEUE).policy().backoff();
        List<dev.postroom.AttemptError> errors = delivery.errors();
        for (int i = 1; i < errors.size(); i++) {
            long gap = Duration.between(errors.get(i - 1).at(), errors.get(i).at()).toMillis();
            long least = Math.round(backoff.baseDelay(errors.get(i - 1).attempt()).toMillis() * 0.8) - 1;
            assertThat(gap).as("gap after attempt %d", errors.get(i - 1).attempt()).isGreaterThanOrEqualTo(least);
        }
    }

    @Test
    void aReceiverThatIsDownLosesNoAlert() throws Exception {
        start(50);
        AtomicBoolean up = new AtomicBoolean(false);
        receiver = Receiver.switchable(up);
        register(receiver.url());

        String id = postroom.send("billing.refunds", "{}").join().id();
        await().until(() -> delivery().map(m -> m.errors().size() >= 2).orElse(false));
        up.set(true);

        await().until(() -> delivery().map(m -> m.state() == MessageState.SUCCEEDED).orElse(false));
        Receiver.Request answered = receiver.requests().getLast();
        assertThat(JSON.readTree(answered.body()).get("messageId").asText()).isEqualTo(id);
        assertThat(receiver.requests()).extracting(r -> r.header("Postroom-Delivery")).containsOnly(answered.header("Postroom-Delivery"));
    }

    @Test
    void aReceiverThatStallsItsAnswerFailsTheAttemptAtTheTimeout() throws Exception {
        start(50, Duration.ofSeconds(1));
        AtomicBoolean up = new AtomicBoolean(false);
        receiver = Receiver.start(n -> up.get() ? 200 : Receiver.STALL);
        register(receiver.url());

        postroom.send("billing.refunds", "{}").join();
        await().atMost(Duration.ofSeconds(30)).until(() -> delivery().map(m -> m.errors().size() >= 2).orElse(false));
        assertThat(delivery().orElseThrow().errors()).allSatisfy(e -> assertThat(e.message()).contains("did not answer within 1s"));
        up.set(true);

        await().atMost(Duration.ofSeconds(30)).until(() -> delivery().map(m -> m.state() == MessageState.SUCCEEDED).orElse(false));
    }

    @Test
    void aDeliveryOutOfAttemptsIsDeadAndRedrivableWithoutAlertingAboutItself() throws Exception {
        start(2);
        AtomicBoolean up = new AtomicBoolean(false);
        receiver = Receiver.start(n -> up.get() ? 200 : 503);
        register(receiver.url());

        postroom.send("billing.refunds", "{}").join();
        await().until(() -> delivery().map(m -> m.state() == MessageState.DEAD).orElse(false));
        up.set(true);
        String deliveryId = delivery().orElseThrow().id();
        postroom.retry(deliveryId);

        await().until(() -> postroom.get(deliveryId).map(m -> m.state() == MessageState.SUCCEEDED).orElse(false));
        assertThat(receiver.requests()).hasSize(3).allSatisfy(r -> assertThat(r.header("Postroom-Event")).isEqualTo("message.dead"));
        assertThat(postroom.queue(WebhookDeliveries.QUEUE).counts().succeeded()).as("the dead delivery raised no alert of its own").isEqualTo(1);
    }

    @Test
    void aDeletedWebhooksQueuedDeliveriesAreDropped() throws Exception {
        start(50);
        receiver = Receiver.switchable(new AtomicBoolean(false));
        register(receiver.url());

        postroom.send("billing.refunds", "{}").join();
        await().until(() -> delivery().map(m -> m.errors().size() >= 1).orElse(false));
        webhooks.delete("ops");

        await().until(() -> delivery().map(m -> m.state() == MessageState.SUCCEEDED).orElse(false));
        assertThat(delivery().orElseThrow().resultJson()).contains("dropped").contains("was deleted");
    }

    // ---------------------------------------------------------------- helpers

    private String register(String url) {
        return webhooks.put(WebhookSpec.of("ops", url, List.of("message.dead"), List.of("billing.*"), null, null, null),
                false, Instant.now()).secret();
    }

    /** The one delivery message, once queued. */
    private Optional<Message> delivery() {
        List<MessageSummary> all = postroom.browse(MessageQuery.builder().queue(WebhookDeliveries.QUEUE).build()).messages();
        return all.isEmpty() ? Optional.empty() : postroom.get(all.getFirst().id());
    }

    private static String hmacHex(String secret, String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }
}
