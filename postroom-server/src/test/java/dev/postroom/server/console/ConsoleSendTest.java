package dev.postroom.server.console;

import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.ScheduleDefinition;
import dev.postroom.SubscriptionFilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sending from the console over plain HTTP: a message with headers, key and delay; a payload that is
 * not JSON shown with its line and column and nothing sent; a publish to a topic; a schedule run
 * now; each audited, and none of it for a viewer.
 */
class ConsoleSendTest {
    @RegisterExtension
    static final ConsoleFixture console = new ConsoleFixture();

    private static Map<String, String> form(String queue, String payload, String headers) {
        return Map.of("queue", queue, "payload", payload, "headers", headers, "orderingKey", "customer-7",
                "delaySeconds", "90", "priority", "4");
    }

    @Test
    void onlyAnAdminSendsOrResendsIntoTheWebhookDeliveriesAndNoTopicSubscribesThem() {
        String deliveries = dev.postroom.server.alert.WebhookDeliveries.QUEUE;
        console.postroom().createQueue(deliveries);
        String forged = "{\"webhook\": \"ops\", \"event\": \"message.dead\", \"body\": \"{}\"}";
        ConsoleClient operator = console.signIn("operator");

        assertThat(operator.post("/console/send", form(deliveries, forged, "{}")).status()).isEqualTo(403);
        String queue = ConsoleFixture.uniqueQueue("csend-any");
        console.postroom().createQueue(queue);
        String original = console.postroom().send(queue, Map.of("n", 1)).join().id();
        assertThat(operator.post("/console/messages/" + original + "/resend", Map.of("queue", deliveries, "payload", forged, "headers", "{}"))
                .status()).isEqualTo(403);
        assertThat(console.postroom().queue(deliveries).counts().ready()).as("nothing reached the deliveries").isZero();

        String topic = ConsoleFixture.uniqueQueue("csend-topic");
        console.postroom().topics().create(topic);
        ConsoleClient admin = console.signIn("admin");
        ConsoleClient.Page subscribed = admin.post("/console/topics/" + topic + "/subscriptions",
                Map.of("name", "sneaky", "queue", deliveries, "filter", ""));
        assertThat(subscribed.status()).isEqualTo(422);
        assertThat(subscribed.text()).contains("cannot subscribe to a topic");
    }

    @Test
    void anOperatorSendsAMessageWithItsOptionsAndItIsAudited() {
        String queue = ConsoleFixture.uniqueQueue("csend");
        console.postroom().createQueue(queue);
        ConsoleClient operator = console.signIn("operator");
        assertThat(operator.get("/console/send?queue=" + queue).body()).contains("<option value=\"" + queue + "\" selected>");

        ConsoleClient.Page sent = operator.post("/console/send", form(queue, "{\"refund\": 1999}", "{\"tenant\": \"acme\"}"));

        assertThat(sent.status()).isEqualTo(303);
        String id = sent.location().substring("/console/messages/".length());
        Message message = console.postroom().get(id).orElseThrow();
        assertThat(message.queue()).isEqualTo(queue);
        assertThat(message.payloadJson()).isEqualTo("{\"refund\":1999}");
        assertThat(message.headers()).containsEntry("tenant", "acme");
        assertThat(message.orderingKey()).isEqualTo("customer-7");
        assertThat(message.priority()).isEqualTo(4);
        assertThat(message.state()).isEqualTo(MessageState.SCHEDULED);
        assertThat(operator.get(sent.location()).body()).contains("Sent " + id);
        assertThat(operator.get("/console/audit?target=" + id).body()).contains("message.send", "user:operator");
    }

    @Test
    void aPayloadThatIsNotJsonIsShownWithItsLineAndColumnAndNothingIsSent() {
        String queue = ConsoleFixture.uniqueQueue("csend");
        console.postroom().createQueue(queue);
        ConsoleClient operator = console.signIn("operator");

        ConsoleClient.Page refused = operator.post("/console/send", form(queue, "{\n  \"refund\": 19.99,\n  oops\n}", ""));

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body()).contains("Payload is not valid JSON", "line 3, column").contains("oops");
        ConsoleClient.Page badPriority = operator.post("/console/send", Map.of("queue", queue, "payload", "1", "priority", "12"));
        assertThat(badPriority.status()).isEqualTo(422);
        assertThat(badPriority.body()).contains("data-field=\"priority\"");
        assertThat(console.postroom().queue(queue).counts().scheduled() + console.postroom().queue(queue).counts().ready()).isZero();
    }

    @Test
    void anOperatorPublishesToATopicAndEveryMatchingQueueGetsACopy() {
        String topic = ConsoleFixture.uniqueQueue("ctopic");
        String queue = ConsoleFixture.uniqueQueue("ctopic-q");
        Postroom postroom = console.postroom();
        postroom.createQueue(queue);
        postroom.topics().create(topic);
        postroom.topics().subscribe(topic, "all", queue, SubscriptionFilter.ALL);
        ConsoleClient operator = console.signIn("operator");

        ConsoleClient.Page published = operator.post("/console/publish", Map.of("topic", topic, "payload", "{\"order\": 42}"));

        assertThat(published.status()).isEqualTo(303);
        assertThat(operator.get("/console/topics").body()).contains("Published to " + topic + ": 1 copy stored.");
        assertThat(postroom.queue(queue).counts().ready()).isEqualTo(1);
        assertThat(operator.get("/console/audit?target=" + topic).body()).contains("topic.publish");
    }

    @Test
    void anOperatorRunsAScheduleNow() {
        String queue = ConsoleFixture.uniqueQueue("csched");
        String name = ConsoleFixture.uniqueQueue("nightly");
        console.postroom().createQueue(queue);
        console.postroom().schedules().put(ScheduleDefinition.builder(name).cron("0 2 * * *").queue(queue).payload(Map.of("report", 1)).build());
        ConsoleClient operator = console.signIn("operator");
        assertThat(operator.get("/console/schedules").body()).contains("action=\"/console/schedules/" + name + "/run\"");

        ConsoleClient.Page ran = operator.post("/console/schedules/" + name + "/run");

        assertThat(ran.status()).isEqualTo(303);
        assertThat(console.postroom().queue(queue).counts().ready()).isEqualTo(1);
        assertThat(operator.get("/console/audit?target=" + name).body()).contains("schedule.run");
    }

    @Test
    void aViewerHasNoSendPageAndCannotSend() {
        String queue = ConsoleFixture.uniqueQueue("csend");
        console.postroom().createQueue(queue);
        ConsoleClient viewer = console.signIn("viewer");

        assertThat(viewer.get("/console").body()).doesNotContain("href=\"/console/send\"");
        assertThat(viewer.get("/console/send").status()).isEqualTo(403);
        assertThat(viewer.post("/console/send", form(queue, "1", "")).status()).isEqualTo(403);
        assertThat(console.signIn("operator").get("/console").body()).contains("href=\"/console/send\"");
        assertThat(console.postroom().queue(queue).counts().scheduled()).isZero();
    }
}
