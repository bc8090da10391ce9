package dev.postroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postroom.server.audit.AuditEntry;
import dev.postroom.server.audit.AuditQuery;
import dev.postroom.server.http.TestServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static dev.postroom.server.http.TestServer.assertProblem;
import static dev.postroom.server.http.TestServer.uniqueQueue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /api/v1/topics}: creating and listing topics, subscriptions with header filters, publishing
 * (one copy per matching subscription, answered with the deliveries), and the errors, each naming
 * what is wrong. The semantics themselves are the store contract's ({@code TopicContract}).
 */
class TopicRoutesTest {
    @RegisterExtension
    static final TestServer server = new TestServer();

    private static String newTopic() {
        String topic = uniqueQueue("topic");
        server.createTopic(topic);
        return topic;
    }

    private static String newQueue() {
        String queue = uniqueQueue("sub");
        server.createQueue(queue);
        return queue;
    }

    private static Reply subscribe(String topic, String name, String body) {
        return server.put("/api/v1/topics/" + topic + "/subscriptions/" + name, server.admin, body);
    }

    private static Reply publish(String topic, String body) {
        return server.post("/api/v1/topics/" + topic + "/messages", server.admin, body);
    }

    private static List<String> queuesOf(Reply published) {
        List<String> queues = new ArrayList<>();
        published.json().get("deliveries").forEach(d -> queues.add(d.get("queue").asText()));
        return queues;
    }

    private static List<String> auditActions(String topic) {
        return server.audit().browse(AuditQuery.builder().target(topic).build()).entries().stream()
                .map(AuditEntry::action).toList();
    }

    @Test
    void putCreatesATopicWith201AndThenAnswers200() {
        String topic = uniqueQueue("topic");

        Reply created = server.put("/api/v1/topics/" + topic, server.admin, "{}");
        Reply again = server.call("PUT", "/api/v1/topics/" + topic, server.admin, (byte[]) null);

        assertThat(created.status()).as("%s", created).isEqualTo(201);
        assertThat(created.json().get("name").asText()).isEqualTo(topic);
        assertThat(created.json().get("createdAt").asText()).endsWith("Z");
        assertThat(created.json().get("subscriptions")).isEmpty();
        assertThat(again.status()).as("%s", again).isEqualTo(200);
        assertThat(again.json().get("createdAt")).isEqualTo(created.json().get("createdAt"));
        assertThat(auditActions(topic)).containsExactly("topic.create");
    }

    @Test
    void putRefusesABadNameAndUnknownFields() {
        assertProblem(server.put("/api/v1/topics/bad%20name", server.admin, "{}"), 422, "topic");
        assertProblem(server.put("/api/v1/topics/" + uniqueQueue("topic"), server.admin, "{\"retention\":1}"), 400, "retention");
    }

    @Test
    void subscribingShowsTheSubscriptionAndPuttingItAgainReplacesIt() {
        String topic = newTopic();
        String first = newQueue();
        String second = newQueue();

        Reply created = subscribe(topic, "eu", "{\"queue\":\"" + first + "\",\"filter\":{\"headers\":{\"region\":\"eu\"}}}");
        Reply replaced = subscribe(topic, "eu", "{\"queue\":\"" + second + "\"}");

        assertThat(created.status()).as("%s", created).isEqualTo(201);
        assertThat(created.json().get("name").asText()).isEqualTo("eu");
        assertThat(created.json().get("queue").asText()).isEqualTo(first);
        assertThat(created.json().get("filter").get("headers").toString()).isEqualTo("{\"region\":\"eu\"}");
        assertThat(replaced.status()).as("%s", replaced).isEqualTo(200);
        assertThat(replaced.json().get("queue").asText()).isEqualTo(second);
        assertThat(replaced.json().get("filter").get("headers")).isEmpty();
        assertThat(replaced.json().get("createdAt")).isEqualTo(created.json().get("createdAt"));
        JsonNode shown = server.get("/api/v1/topics/" + topic, server.token("read")).json();
        assertThat(shown.get("subscriptions")).hasSize(1);
        assertThat(shown.get("subscriptions").get(0).get("queue").asText()).isEqualTo(second);
        assertThat(auditActions(topic)).containsExactly("subscription.update", "subscription.create", "topic.create");
    }

    @Test
    void aBadSubscriptionIsRefusedNamingTheFieldAndChangesNothing() {
        String topic = newTopic();
        String queue = newQueue();

        assertProblem(subscribe(topic, "s", "{}"), 422, "queue");
        JsonNode unknown = assertProblem(subscribe(topic, "s", "{\"queue\":\"no-such-queue\"}"), 422, "queue");
        assertThat(unknown.get("detail").asText()).contains("no-such-queue");
        assertProblem(subscribe(topic, "s", "{\"queue\":\"" + queue + "\",\"filter\":{\"headers\":{\"bad key\":\"v\"}}}"),
                422, "filter.headers.bad key");
        assertProblem(subscribe(topic, "s", "{\"queue\":\"" + queue + "\",\"filter\":{\"headers\":{\"k\":null}}}"), 422, "filter.headers.k");
        assertProblem(subscribe(topic, "s", "{\"queue\":\"" + queue + "\",\"filter\":{\"headers\":{\"k\":5}}}"), 400, "filter.headers.k");
        assertProblem(subscribe(topic, "bad%20name", "{\"queue\":\"" + queue + "\"}"), 422, "subscription");
        JsonNode noTopic = assertProblem(subscribe("no-such-topic", "s", "{\"queue\":\"" + queue + "\"}"), 404);
        assertThat(noTopic.get("title").asText()).isEqualTo("Topic not found");

        assertThat(server.get("/api/v1/topics/" + topic, server.admin).json().get("subscriptions")).isEmpty();
    }

    @Test
    void publishAnswersOneDeliveryPerMatchingSubscription() {
        String topic = newTopic();
        String everything = newQueue();
        String eu = newQueue();
        subscribe(topic, "a-all", "{\"queue\":\"" + everything + "\"}");
        subscribe(topic, "b-eu", "{\"queue\":\"" + eu + "\",\"filter\":{\"headers\":{\"region\":\"eu\"}}}");

        Reply published = publish(topic, "{\"payload\":{\"order\":42},\"headers\":{\"region\":\"eu\"},\"priority\":3}");

        assertThat(published.status()).as("%s", published).isEqualTo(201);
        assertThat(published.json().get("topic").asText()).isEqualTo(topic);
        JsonNode deliveries = published.json().get("deliveries");
        assertThat(deliveries).hasSize(2);
        assertThat(deliveries.get(0).get("subscription").asText()).isEqualTo("a-all");
        assertThat(deliveries.get(0).get("queue").asText()).isEqualTo(everything);
        assertThat(deliveries.get(1).get("queue").asText()).isEqualTo(eu);
        for (JsonNode delivery : deliveries) {
            assertThat(delivery.get("state").asText()).isEqualTo("READY");
            assertThat(delivery.get("duplicate").asBoolean()).isFalse();
            JsonNode copy = server.message(delivery.get("id").asText());
            assertThat(copy.get("queue").asText()).isEqualTo(delivery.get("queue").asText());
            assertThat(copy.get("payload").toString()).isEqualTo("{\"order\":42}");
            assertThat(copy.get("headers").get("region").asText()).isEqualTo("eu");
            assertThat(copy.get("priority").asInt()).isEqualTo(3);
        }

        Reply us = publish(topic, "{\"payload\":1,\"headers\":{\"region\":\"us\"}}");
        assertThat(queuesOf(us)).containsExactly(everything);
        assertThat(server.counts(eu).get("ready").asInt()).isEqualTo(1);
        assertThat(server.counts(everything).get("ready").asInt()).isEqualTo(2);
    }

    @Test
    void publishThatStoresNothingNewIs200() {
        String topic = newTopic();
        String queue = newQueue();
        subscribe(topic, "eu", "{\"queue\":\"" + queue + "\",\"filter\":{\"headers\":{\"region\":\"eu\"}}}");

        Reply nobody = publish(topic, "{\"payload\":1}");
        String keyed = "{\"payload\":1,\"headers\":{\"region\":\"eu\"},\"idempotencyKey\":\"k-1\"}";
        Reply first = publish(topic, keyed);
        Reply repeat = publish(topic, keyed);

        assertThat(nobody.status()).as("%s", nobody).isEqualTo(200);
        assertThat(nobody.json().get("deliveries")).isEmpty();
        assertThat(first.status()).as("%s", first).isEqualTo(201);
        assertThat(repeat.status()).as("%s", repeat).isEqualTo(200);
        assertThat(repeat.json().get("deliveries").get(0).get("duplicate").asBoolean()).isTrue();
        assertThat(repeat.json().get("deliveries").get(0).get("id")).isEqualTo(first.json().get("deliveries").get(0).get("id"));
        assertThat(server.counts(queue).get("ready").asInt()).isEqualTo(1);
    }

    @Test
    void aBadPublishIsRefusedNamingTheFieldOrWhatIsMissing() {
        String topic = newTopic();
        String kept = newQueue();
        String doomed = newQueue();
        subscribe(topic, "a", "{\"queue\":\"" + kept + "\"}");
        subscribe(topic, "b", "{\"queue\":\"" + doomed + "\"}");

        assertProblem(publish(topic, "{}"), 422, "payload");
        assertProblem(publish(topic, "{\"payload\":1,\"priority\":12}"), 422, "priority");
        assertProblem(publish(topic, "{\"payload\":1,\"pirority\":1}"), 400, "pirority");
        JsonNode unknown = assertProblem(publish("no-such-topic", "{\"payload\":1}"), 404);
        assertThat(unknown.get("detail").asText()).contains("no-such-topic");
        assertThat(server.delete("/api/v1/queues/" + doomed, server.admin).status()).isEqualTo(204);
        JsonNode gone = assertProblem(publish(topic, "{\"payload\":1}"), 404);
        assertThat(gone.get("detail").asText()).contains(doomed);

        assertThat(server.counts(kept).get("ready").asInt()).as("nothing half-published").isZero();
    }

    @Test
    void publishingNeedsSendScopeOnTheTopicNotOnItsQueues() {
        String topic = "news-" + uniqueQueue("t");
        server.createTopic(topic);
        String queue = newQueue();
        server.subscribe(topic, "s", queue);

        Reply allowed = server.post("/api/v1/topics/" + topic + "/messages", server.token("send:news-*"), "{\"payload\":1}");
        JsonNode refused = assertProblem(server.post("/api/v1/topics/" + topic + "/messages",
                server.token("send:" + queue), "{\"payload\":1}"), 403);

        assertThat(allowed.status()).as("%s", allowed).isEqualTo(201);
        assertThat(refused.get("detail").asText()).contains("send:" + topic);
        assertThat(server.counts(queue).get("ready").asInt()).isEqualTo(1);
    }

    @Test
    void listingShowsEveryTopicByName() {
        String topic = newTopic();
        String queue = newQueue();
        server.subscribe(topic, "s", queue);

        JsonNode topics = server.get("/api/v1/topics", server.token("read")).json().get("topics");

        List<String> names = new ArrayList<>();
        topics.forEach(t -> names.add(t.get("name").asText()));
        assertThat(names).contains(topic).isSorted();
        JsonNode mine = topics.get(names.indexOf(topic));
        assertThat(mine.get("subscriptions").get(0).get("queue").asText()).isEqualTo(queue);
    }

    @Test
    void unsubscribingAndDeletingAre204ThenNotFound() {
        String topic = newTopic();
        String queue = newQueue();
        server.subscribe(topic, "s", queue);

        assertThat(server.delete("/api/v1/topics/" + topic + "/subscriptions/s", server.admin).status()).isEqualTo(204);
        JsonNode noSubscription = assertProblem(server.delete("/api/v1/topics/" + topic + "/subscriptions/s", server.admin), 404);
        assertThat(noSubscription.get("title").asText()).isEqualTo("Subscription not found");
        assertThat(server.delete("/api/v1/topics/" + topic, server.admin).status()).isEqualTo(204);
        assertProblem(server.delete("/api/v1/topics/" + topic, server.admin), 404);
        assertProblem(server.get("/api/v1/topics/" + topic, server.admin), 404);

        assertThat(auditActions(topic)).containsExactly("topic.delete", "subscription.delete", "subscription.create", "topic.create");
    }
}
