package dev.postroom.tck;

import dev.postroom.Backoff;
import dev.postroom.InvalidMessageException;
import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.PublishResult;
import dev.postroom.QueueNotFoundException;
import dev.postroom.QueuePolicy;
import dev.postroom.ReceivedMessage;
import dev.postroom.SendOptions;
import dev.postroom.SendResult;
import dev.postroom.Subscription;
import dev.postroom.SubscriptionFilter;
import dev.postroom.SubscriptionNotFoundException;
import dev.postroom.Topic;
import dev.postroom.TopicDelivery;
import dev.postroom.TopicNotFoundException;
import dev.postroom.Topics;
import dev.postroom.Futures;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Topics: publishing stores one copy per subscription whose header filter matches, all in one
 * transaction (every copy or none); each copy is then an ordinary message of its queue, with its
 * own id, attempts, retries and dead letter. Topics and subscriptions are durable; unsubscribing
 * and deleting stop later deliveries and leave earlier copies alone. Idempotency keys apply to each
 * copy in its queue.
 */
public abstract class TopicContract extends ContractSupport {
    private static final String TOPIC = "orders";

    private Topics topics() {
        return postroom.topics();
    }

    /** Publishes, waits until durable and remembers the copies' ids for the invariants. */
    private PublishResult publish(Object payload, SendOptions options) {
        PublishResult result = Futures.join(topics().publish(TOPIC, payload, options));
        track(result.deliveries().stream().map(TopicDelivery::id).toList());
        return result;
    }

    private static SendOptions headers(Map<String, String> headers) {
        return SendOptions.builder().headers(headers).build();
    }

    private static List<String> queuesOf(PublishResult result) {
        return result.deliveries().stream().map(TopicDelivery::queue).toList();
    }

    /** Topic {@value #TOPIC} with one subscription per queue, named like the queue, taking everything. */
    private void topicWithSubscribers(String... queues) {
        topics().create(TOPIC);
        for (String queue : queues) {
            createQueue(queue);
            topics().subscribe(TOPIC, queue, queue, SubscriptionFilter.ALL);
        }
    }

    // ---------------------------------------------------------------- fan-out

    @Test
    void publishStoresOneCopyInEverySubscribedQueue() {
        topicWithSubscribers("billing", "shipping");
        createQueue("unrelated");
        SendOptions options = SendOptions.builder().priority(6).orderingKey("order-42").header("region", "eu").build();

        PublishResult result = publish(Map.of("order", 42), options);

        assertThat(result.topic()).isEqualTo(TOPIC);
        assertThat(result.deliveries()).extracting(TopicDelivery::subscription).containsExactly("billing", "shipping");
        assertThat(queuesOf(result)).containsExactly("billing", "shipping");
        assertThat(result.deliveries()).allSatisfy(d -> {
            assertThat(d.state()).isEqualTo(MessageState.READY);
            assertThat(d.duplicate()).isFalse();
            Message copy = message(d.id());
            assertThat(copy.queue()).isEqualTo(d.queue());
            assertSameJson(copy.payloadJson(), Map.of("order", 42));
            assertThat(copy.headers()).containsEntry("region", "eu");
            assertThat(copy.priority()).isEqualTo(6);
            assertThat(copy.orderingKey()).isEqualTo("order-42");
        });
        assertThat(result.deliveries().get(0).id()).isNotEqualTo(result.deliveries().get(1).id());
        assertThat(receiveOne("billing").id()).isEqualTo(result.deliveries().get(0).id());
        assertThat(receiveOne("shipping").id()).isEqualTo(result.deliveries().get(1).id());
        assertQueueHoldsNothing("unrelated");
    }

    @Test
    void delayedPublishSchedulesEveryCopy() {
        topicWithSubscribers("billing", "shipping");

        PublishResult result = publish("later", SendOptions.builder().delay(Duration.ofMinutes(5)).build());

        assertThat(result.deliveries()).extracting(TopicDelivery::state).containsOnly(MessageState.SCHEDULED);
        assertNothingToReceive("billing");
        clock.advance(Duration.ofMinutes(5));
        postroom.runMaintenance();
        assertThat(receiveOne("billing").id()).isEqualTo(result.deliveries().get(0).id());
        assertThat(receiveOne("shipping").id()).isEqualTo(result.deliveries().get(1).id());
    }

    @Test
    void twoSubscriptionsToOneQueueStoreTwoCopiesThere() {
        topicWithSubscribers("billing");
        topics().subscribe(TOPIC, "billing-audit", "billing", SubscriptionFilter.ALL);

        PublishResult result = publish("twice", SendOptions.DEFAULTS);

        assertThat(queuesOf(result)).containsExactly("billing", "billing");
        assertThat(counts("billing").ready()).isEqualTo(2);
    }

    // ---------------------------------------------------------------- filters

    @Test
    void headerFiltersTakeOnlyMessagesCarryingEveryRequiredValue() {
        topics().create(TOPIC);
        for (String queue : List.of("everything", "eu", "eu-gold")) {
            createQueue(queue);
        }
        topics().subscribe(TOPIC, "all", "everything", SubscriptionFilter.ALL);
        topics().subscribe(TOPIC, "eu", "eu", SubscriptionFilter.header("region", "eu"));
        topics().subscribe(TOPIC, "eu-gold", "eu-gold", SubscriptionFilter.headers(Map.of("region", "eu", "tier", "gold")));

        assertThat(queuesOf(publish(1, headers(Map.of("region", "eu", "tier", "gold", "extra", "x")))))
                .containsExactly("everything", "eu", "eu-gold");
        assertThat(queuesOf(publish(2, headers(Map.of("region", "eu", "tier", "silver"))))).containsExactly("everything", "eu");
        assertThat(queuesOf(publish(3, headers(Map.of("tier", "gold"))))).containsExactly("everything");
        assertThat(queuesOf(publish(4, headers(Map.of("region", "EU"))))).as("values match exactly").containsExactly("everything");
        assertThat(queuesOf(publish(5, SendOptions.DEFAULTS))).containsExactly("everything");

        assertThat(counts("everything").ready()).isEqualTo(5);
        assertThat(counts("eu").ready()).isEqualTo(2);
        assertThat(counts("eu-gold").ready()).isEqualTo(1);
    }

    @Test
    void publishMatchingNoSubscriptionStoresNothing() {
        topics().create(TOPIC);
        createQueue("eu");
        topics().subscribe(TOPIC, "eu", "eu", SubscriptionFilter.header("region", "eu"));

        assertThat(publish("to nobody", headers(Map.of("region", "us"))).deliveries()).isEmpty();
        topics().create("empty");
        assertThat(Futures.join(topics().publish("empty", "to nobody")).deliveries()).isEmpty();

        assertQueueHoldsNothing("eu");
    }

    // ---------------------------------------------------------------- copies are ordinary messages

    @Test
    void eachCopyRetriesAndDiesOnItsOwn() {
        topics().create(TOPIC);
        createQueue("steady", QueuePolicy.DEFAULT.withMaxAttempts(5));
        createQueue("flaky", QueuePolicy.DEFAULT.withMaxAttempts(2)
                .withBackoff(new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(10), 1.0)));
        topics().subscribe(TOPIC, "steady", "steady", SubscriptionFilter.ALL);
        topics().subscribe(TOPIC, "flaky", "flaky", SubscriptionFilter.ALL);
        PublishResult result = publish("work", SendOptions.DEFAULTS);
        String flaky = result.deliveries().get(0).id();
        String steady = result.deliveries().get(1).id();

        assertThat(receiveAndNack("flaky", flaky)).isEqualTo(MessageState.SCHEDULED);
        assertThat(receiveAndAck("steady").id()).isEqualTo(steady);
        clock.advance(Duration.ofSeconds(10));
        postroom.runMaintenance();
        assertThat(receiveAndNack("flaky", flaky)).isEqualTo(MessageState.DEAD);

        Message dead = message(flaky);
        Message succeeded = message(steady);
        assertThat(dead.maxAttempts()).isEqualTo(2);
        assertThat(dead.attempt()).isEqualTo(2);
        assertThat(dead.errors()).hasSize(2);
        assertThat(succeeded.state()).isEqualTo(MessageState.SUCCEEDED);
        assertThat(succeeded.maxAttempts()).isEqualTo(5);
        assertThat(succeeded.attempt()).isEqualTo(1);
        assertThat(succeeded.errors()).isEmpty();

        assertThat(postroom.redrive("flaky")).isEqualTo(1);
        assertThat(receiveAndAck("flaky").id()).isEqualTo(flaky);
        assertThat(stateOf(flaky)).isEqualTo(MessageState.SUCCEEDED);
    }

    // ---------------------------------------------------------------- all or nothing

    @Test
    void publishMatchingASubscriptionWhoseQueueIsGoneStoresNoCopy() {
        topicWithSubscribers("billing", "shipping");
        // Deleted behind this node's back, as another node would: only the store can refuse the batch.
        Futures.join(store.deleteQueue("shipping", true));

        assertThatThrownBy(() -> topics().publish(TOPIC, "lost?").join())
                .hasRootCauseInstanceOf(QueueNotFoundException.class)
                .rootCause().hasMessageContaining("shipping");
        assertQueueHoldsNothing("billing");

        postroom.deleteQueue("billing", true);
        assertThatThrownBy(() -> topics().publish(TOPIC, "lost?"))
                .isInstanceOf(QueueNotFoundException.class)
                .hasMessageContaining("billing");

        createQueue("billing");
        createQueue("shipping");
        assertThat(queuesOf(publish("found", SendOptions.DEFAULTS))).containsExactly("billing", "shipping");
    }

    @Test
    void aBadPublishIsRefusedWholeWhetherOrNotAnyoneListens() {
        topicWithSubscribers("billing", "shipping");
        topics().create("quiet");

        for (String topic : List.of(TOPIC, "quiet")) {
            assertThatThrownBy(() -> topics().publish(topic, "x", SendOptions.builder().priority(12).build()))
                    .isInstanceOf(InvalidMessageException.class)
                    .satisfies(e -> assertThat(((InvalidMessageException) e).field()).isEqualTo("priority"));
            assertThatThrownBy(() -> topics().publish(topic, "x", SendOptions.builder().header("bad header", "v").build()))
                    .isInstanceOf(InvalidMessageException.class);
        }
        assertQueueHoldsNothing("billing");
        assertQueueHoldsNothing("shipping");
    }

    // ---------------------------------------------------------------- idempotency

    @Test
    void anIdempotencyKeyAppliesToEachCopyInItsQueue() {
        topicWithSubscribers("billing", "shipping");
        SendOptions keyed = SendOptions.builder().idempotencyKey("order-42").build();
        PublishResult first = publish("v1", keyed);

        PublishResult repeat = publish("v2", keyed);

        assertThat(repeat.deliveries()).extracting(TopicDelivery::id)
                .containsExactlyElementsOf(first.deliveries().stream().map(TopicDelivery::id).toList());
        assertThat(repeat.deliveries()).extracting(TopicDelivery::duplicate).containsOnly(true);
        assertThat(counts("billing").ready()).isEqualTo(1);

        SendResult direct = send("billing", "direct", keyed);
        assertThat(direct.duplicate()).isTrue();
        assertThat(direct.id()).isEqualTo(first.deliveries().get(0).id());

        createQueue("audit");
        topics().subscribe(TOPIC, "audit", "audit", SubscriptionFilter.ALL);
        PublishResult third = publish("v3", keyed);
        assertThat(third.deliveries()).extracting(TopicDelivery::queue, TopicDelivery::duplicate)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("audit", false),
                        org.assertj.core.groups.Tuple.tuple("billing", true),
                        org.assertj.core.groups.Tuple.tuple("shipping", true));
        assertSameJson(message(third.deliveries().get(0).id()).payloadJson(), "v3");
    }

    // ---------------------------------------------------------------- managing topics

    @Test
    void topicsAndSubscriptionsAreListedByName() {
        assertThat(topics().create("zeta")).isTrue();
        assertThat(topics().create(TOPIC)).isTrue();
        assertThat(topics().create(TOPIC)).as("a second create changes nothing").isFalse();
        createQueue("q");
        assertThat(topics().subscribe(TOPIC, "b-sub", "q", SubscriptionFilter.ALL)).isTrue();
        assertThat(topics().subscribe(TOPIC, "a-sub", "q", SubscriptionFilter.header("k", "v"))).isTrue();

        assertThat(topics().list()).extracting(Topic::name).containsExactly(TOPIC, "zeta");
        Topic topic = topics().get(TOPIC);
        assertThat(topic.createdAt()).isEqualTo(START);
        assertThat(topic.subscriptions()).extracting(Subscription::name).containsExactly("a-sub", "b-sub");
        assertThat(topic.subscriptions().getFirst()).isEqualTo(
                new Subscription(TOPIC, "a-sub", "q", SubscriptionFilter.header("k", "v"), START));
        assertThat(topics().get("zeta").subscriptions()).isEmpty();
    }

    @Test
    void subscribingAgainReplacesQueueAndFilterAndKeepsCreatedAt() {
        topicWithSubscribers("billing");
        createQueue("billing-v2");
        clock.advance(Duration.ofMinutes(1));

        assertThat(topics().subscribe(TOPIC, "billing", "billing-v2", SubscriptionFilter.header("v", "2"))).isFalse();

        assertThat(topics().get(TOPIC).subscriptions()).containsExactly(
                new Subscription(TOPIC, "billing", "billing-v2", SubscriptionFilter.header("v", "2"), START));
        assertThat(queuesOf(publish("x", headers(Map.of("v", "2"))))).containsExactly("billing-v2");
        assertQueueHoldsNothing("billing");
    }

    @Test
    void unsubscribeStopsLaterDeliveriesAndKeepsEarlierCopies() {
        topicWithSubscribers("billing", "shipping");
        String earlier = publish("before", SendOptions.DEFAULTS).deliveries().get(1).id();

        topics().unsubscribe(TOPIC, "shipping");

        assertThat(queuesOf(publish("after", SendOptions.DEFAULTS))).containsExactly("billing");
        assertThat(counts("shipping").ready()).isEqualTo(1);
        assertThat(stateOf(earlier)).isEqualTo(MessageState.READY);
        assertThatThrownBy(() -> topics().unsubscribe(TOPIC, "shipping")).isInstanceOf(SubscriptionNotFoundException.class);
        assertThatThrownBy(() -> topics().unsubscribe("nope", "shipping")).isInstanceOf(TopicNotFoundException.class);
    }

    @Test
    void deletingATopicDropsItsSubscriptionsAndKeepsItsMessages() {
        topicWithSubscribers("billing");
        String copy = publish("kept", SendOptions.DEFAULTS).deliveries().getFirst().id();

        topics().delete(TOPIC);

        assertThatThrownBy(() -> topics().get(TOPIC)).isInstanceOf(TopicNotFoundException.class);
        assertThatThrownBy(() -> topics().publish(TOPIC, "x")).isInstanceOf(TopicNotFoundException.class);
        assertThatThrownBy(() -> topics().delete(TOPIC)).isInstanceOf(TopicNotFoundException.class);
        assertThat(topics().list()).isEmpty();
        assertThat(stateOf(copy)).isEqualTo(MessageState.READY);

        topics().create(TOPIC);
        assertThat(topics().get(TOPIC).subscriptions()).as("a topic made again starts empty").isEmpty();
    }

    @Test
    void unknownTopicsAndQueuesAreRefusedNamingThem() {
        assertThatThrownBy(() -> topics().get(TOPIC)).isInstanceOf(TopicNotFoundException.class).hasMessageContaining(TOPIC);
        assertThatThrownBy(() -> topics().publish(TOPIC, "x")).isInstanceOf(TopicNotFoundException.class);
        createQueue("billing");
        assertThatThrownBy(() -> topics().subscribe(TOPIC, "s", "billing", SubscriptionFilter.ALL))
                .isInstanceOf(TopicNotFoundException.class);

        topics().create(TOPIC);
        assertThatThrownBy(() -> topics().subscribe(TOPIC, "s", "no-such-queue", SubscriptionFilter.ALL))
                .isInstanceOf(QueueNotFoundException.class).hasMessageContaining("no-such-queue");
        assertThat(topics().get(TOPIC).subscriptions()).isEmpty();
    }

    @Test
    void namesAndFiltersFollowTheQueueNameRules() {
        createQueue("billing");
        assertThatThrownBy(() -> topics().create("bad name")).isInstanceOf(InvalidMessageException.class)
                .satisfies(e -> assertThat(((InvalidMessageException) e).field()).isEqualTo("topic"));
        topics().create(TOPIC);
        assertThatThrownBy(() -> topics().subscribe(TOPIC, "bad/name", "billing", SubscriptionFilter.ALL))
                .satisfies(e -> assertThat(((InvalidMessageException) e).field()).isEqualTo("subscription"));
        assertThatThrownBy(() -> topics().subscribe(TOPIC, "s", "billing", SubscriptionFilter.header("bad key", "v")))
                .satisfies(e -> assertThat(((InvalidMessageException) e).field()).isEqualTo("filter.headers.bad key"));
        assertThatThrownBy(() -> topics().subscribe(TOPIC, "s", "billing", SubscriptionFilter.header("k", "v".repeat(5000))))
                .satisfies(e -> assertThat(((InvalidMessageException) e).field()).isEqualTo("filter.headers.k"));
        assertThat(topics().list()).extracting(Topic::name).containsExactly(TOPIC);
        assertThat(topics().get(TOPIC).subscriptions()).isEmpty();
    }

    // ---------------------------------------------------------------- durability

    @Test
    void topicsAndSubscriptionsSurviveRestart() {
        topicWithSubscribers("billing");
        createQueue("eu");
        topics().subscribe(TOPIC, "eu", "eu", SubscriptionFilter.headers(Map.of("region", "eu", "tier", "gold")));
        topics().create("empty");
        List<Topic> before = topics().list();

        restart();

        assertThat(topics().list()).isEqualTo(before);
        PublishResult after = publish("after restart", headers(Map.of("region", "eu", "tier", "gold")));
        assertThat(queuesOf(after)).containsExactly("billing", "eu");
    }

    @Test
    void aCompletedPublishSurvivesACrash() {
        topicWithSubscribers("billing", "shipping");
        PublishResult result = publish("durable", SendOptions.DEFAULTS);

        crashAndReopen();

        for (TopicDelivery delivery : result.deliveries()) {
            assertThat(stateOf(delivery.id())).isEqualTo(MessageState.READY);
        }
        ReceivedMessage billing = receiveOne("billing");
        assertThat(billing.id()).isEqualTo(result.deliveries().getFirst().id());
    }
}
