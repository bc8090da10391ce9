package dev.postroom.server.console;

import dev.postroom.PublishResult;
import dev.postroom.Subscription;
import dev.postroom.SubscriptionFilter;
import dev.postroom.server.audit.AuditEntry;
import dev.postroom.server.audit.AuditQuery;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /console/topics}: everyone signed in sees the topics, their subscriptions, filters and
 * queues; admins create and delete topics and add and remove subscriptions, each audited; a
 * refused form comes back filled in, naming what is wrong, and changes nothing.
 */
class TopicPagesTest {
    @RegisterExtension
    static final ConsoleFixture console = new ConsoleFixture();
    static ConsoleClient admin;

    @BeforeAll
    static void start() {
        admin = console.signIn("admin");
    }

    private static String newQueue() {
        String queue = ConsoleFixture.uniqueQueue("topic-q");
        console.postroom().createQueue(queue);
        return queue;
    }

    private static String newTopic() {
        String topic = ConsoleFixture.uniqueQueue("topic");
        console.postroom().topics().create(topic);
        return topic;
    }

    private static List<String> actions(String topic) {
        return console.audit().browse(AuditQuery.builder().target(topic).build()).entries().stream().map(AuditEntry::action).toList();
    }

    @Test
    void anAdminCreatesATopicAndSubscribesAQueueWithAFilter() {
        String topic = ConsoleFixture.uniqueQueue("topic");
        String queue = newQueue();

        ConsoleClient.Page created = admin.post("/console/topics", Map.of("name", topic));
        assertThat(created.status()).as(created.body()).isEqualTo(303);
        assertThat(created.location()).isEqualTo("/console/topics#topic-" + topic);

        ConsoleClient.Page subscribed = admin.post("/console/topics/" + topic + "/subscriptions",
                Map.of("name", "eu", "queue", queue, "filter", "region=eu\r\nnote=a, b"));
        assertThat(subscribed.status()).as(subscribed.body()).isEqualTo(303);

        assertThat(console.postroom().topics().get(topic).subscriptions()).extracting(Subscription::queue, Subscription::filter)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(queue, SubscriptionFilter.headers(Map.of("region", "eu", "note", "a, b"))));
        ConsoleClient.Page page = admin.get("/console/topics");
        assertThat(page.text()).contains("Subscribed " + queue + " to " + topic, "note=a, b, region=eu");
        assertThat(page.body()).contains("href=\"/console/queues/" + queue + "\"");
        assertThat(actions(topic)).containsExactly("subscription.create", "topic.create");
    }

    @Test
    void aRefusedSubscriptionComesBackFilledInNamingTheFieldAndSavesNothing() {
        String topic = newTopic();

        ConsoleClient.Page unknownQueue = admin.post("/console/topics/" + topic + "/subscriptions",
                Map.of("name", "eu", "queue", "no-such-queue", "filter", "region=eu"));
        ConsoleClient.Page badFilter = admin.post("/console/topics/" + topic + "/subscriptions",
                Map.of("name", "eu", "queue", newQueue(), "filter", "region"));

        assertThat(unknownQueue.status()).isEqualTo(422);
        assertThat(unknownQueue.text()).contains("there is no queue no-such-queue");
        assertThat(unknownQueue.body()).contains("value=\"no-such-queue\"", ">region=eu</textarea>");
        assertThat(badFilter.status()).isEqualTo(422);
        assertThat(badFilter.text()).contains("\"region\" is not name=value");
        assertThat(console.postroom().topics().get(topic).subscriptions()).isEmpty();
        assertThat(actions(topic)).isEmpty();
    }

    @Test
    void aBadTopicNameIsRefusedNamingIt() {
        ConsoleClient.Page refused = admin.post("/console/topics", Map.of("name", "bad name"));

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.text()).contains("topic: must match");
        assertThat(console.postroom().topics().list()).extracting(t -> t.name()).doesNotContain("bad name");
    }

    @Test
    void removingASubscriptionAndDeletingATopicAreAuditedAndKeepPublishedCopies() {
        String topic = newTopic();
        String queue = newQueue();
        console.postroom().topics().subscribe(topic, "all", queue, SubscriptionFilter.ALL);
        PublishResult published = console.postroom().topics().publish(topic, Map.of("n", 1)).join();

        assertThat(admin.post("/console/topics/" + topic + "/subscriptions/all/delete").status()).isEqualTo(303);
        assertThat(console.postroom().topics().get(topic).subscriptions()).isEmpty();
        assertThat(admin.post("/console/topics/" + topic + "/delete").status()).isEqualTo(303);

        assertThat(console.postroom().topics().list()).extracting(t -> t.name()).doesNotContain(topic);
        assertThat(console.postroom().get(published.deliveries().getFirst().id())).isPresent();
        assertThat(actions(topic)).containsExactly("topic.delete", "subscription.delete");
        assertThat(admin.post("/console/topics/" + topic + "/delete").status()).isEqualTo(404);
    }

    @Test
    void aViewerSeesTopicsButNoForms() {
        String topic = newTopic();
        String queue = newQueue();
        console.postroom().topics().subscribe(topic, "gold", queue, SubscriptionFilter.header("tier", "gold"));
        ConsoleClient viewer = console.signIn("viewer");

        ConsoleClient.Page page = viewer.get("/console/topics");

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.text()).contains(topic, "gold", queue, "tier=gold");
        assertThat(page.body()).doesNotContain("action=\"/console/topics\"", "/subscriptions/gold/delete", "Add subscription");
        assertThat(viewer.post("/console/topics/" + topic + "/delete").status()).isEqualTo(403);
        assertThat(console.postroom().topics().get(topic).subscriptions()).hasSize(1);
    }

    @Test
    void aSubscriptionWhoseQueueIsGoneIsFlagged() {
        String topic = newTopic();
        String queue = newQueue();
        console.postroom().topics().subscribe(topic, "s", queue, SubscriptionFilter.ALL);
        console.postroom().deleteQueue(queue, true);

        ConsoleClient.Page page = admin.get("/console/topics");

        assertThat(page.text()).contains("queue missing");
        assertThat(page.body()).doesNotContain("href=\"/console/queues/" + queue + "\"");
    }
}
