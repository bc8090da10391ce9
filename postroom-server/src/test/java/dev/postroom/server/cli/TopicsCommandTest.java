package dev.postroom.server.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.postroom.server.cli.SendCommandTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code postroom topics list|show|create|delete|subscribe|unsubscribe|publish}. */
class TopicsCommandTest {
    private static final String TOPIC = """
            {"name":"orders","createdAt":"2026-03-01T12:00:00Z","subscriptions":[
              {"name":"billing","queue":"billing-orders","filter":{"headers":{}},"createdAt":"2026-03-01T12:00:00Z"},
              {"name":"eu","queue":"shipping-eu","filter":{"headers":{"region":"eu","tier":"gold"}},"createdAt":"2026-03-01T12:01:00Z"}]}""";

    private final CannedServer server = new CannedServer();

    @AfterEach
    void stop() {
        server.close();
    }

    private CliRun topics(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--url";
        all[args.length + 1] = server.url();
        return CliRun.run(new TopicsCommand(), all);
    }

    @Test
    void listShowsEachTopicWithItsSubscriptionCountAndQueues() {
        server.answer("GET", "/api/v1/topics", 200, "{\"topics\":[" + TOPIC
                + ",{\"name\":\"quiet\",\"createdAt\":\"2026-03-01T12:00:00Z\",\"subscriptions\":[]}]}");

        CliRun run = topics("list");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("""
                TOPIC   SUBSCRIPTIONS  QUEUES
                orders              2  billing-orders, shipping-eu
                quiet               0  -
                """);
    }

    @Test
    void showListsSubscriptionsWithTheirFilters() {
        server.answer("GET", "/api/v1/topics/orders", 200, TOPIC);

        CliRun run = topics("show", "orders");

        assertThat(run.out()).isEqualTo("""
                topic orders, created 2026-03-01T12:00:00Z
                SUBSCRIPTION  QUEUE           FILTER
                billing       billing-orders  -
                eu            shipping-eu     region=eu, tier=gold
                """);
    }

    @Test
    void createSaysWhetherTheTopicIsNew() {
        server.answer("PUT", "/api/v1/topics/orders", 201, TOPIC);

        CliRun run = topics("create", "orders");

        assertThat(run.out()).isEqualTo("created topic orders\n");
        assertThat(server.only("PUT", "/api/v1/topics/orders").json()).isEqualTo(json("{}"));
    }

    @Test
    void subscribeSendsTheQueueAndTheHeaderFilter() {
        server.answer("PUT", "/api/v1/topics/orders/subscriptions/eu", 201,
                "{\"name\":\"eu\",\"queue\":\"shipping-eu\",\"filter\":{\"headers\":{\"region\":\"eu\"}},\"createdAt\":\"2026-03-01T12:00:00Z\"}");

        CliRun run = topics("subscribe", "orders", "eu", "--queue", "shipping-eu", "-H", "region=eu");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("created subscription eu of orders: to shipping-eu, filter region=eu\n");
        assertThat(server.only("PUT", "/api/v1/topics/orders/subscriptions/eu").json())
                .isEqualTo(json("{\"queue\":\"shipping-eu\",\"filter\":{\"headers\":{\"region\":\"eu\"}}}"));
    }

    @Test
    void subscribeWithoutAQueueIsAUsageError() {
        CliRun run = topics("subscribe", "orders", "eu");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void subscribingAnUnknownQueueExitsNonZeroWithTheServersReason() {
        server.problem("PUT", "/api/v1/topics/orders/subscriptions/eu", 422,
                "{\"status\":422,\"errors\":[{\"field\":\"queue\",\"message\":\"no queue named nope; create it first\"}]}");

        CliRun run = topics("subscribe", "orders", "eu", "-q", "nope");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("postroom: 422 queue: no queue named nope; create it first\n");
    }

    @Test
    void publishSendsTheMessageAndPrintsEveryDelivery() {
        server.answer("POST", "/api/v1/topics/orders/messages", 201, """
                {"topic":"orders","deliveries":[
                  {"subscription":"billing","queue":"billing-orders","id":"id-1","state":"READY","duplicate":false},
                  {"subscription":"eu","queue":"shipping-eu","id":"id-2","state":"READY","duplicate":true}]}""");

        CliRun run = topics("publish", "orders", "{\"order\":42}", "-H", "region=eu", "--priority", "3", "--idempotency-key", "o-42");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("""
                published id-1 to billing-orders via billing (READY)
                duplicate id-2 to shipping-eu via eu (READY)
                """);
        assertThat(server.only("POST", "/api/v1/topics/orders/messages").json())
                .isEqualTo(json("{\"payload\":{\"order\":42},\"headers\":{\"region\":\"eu\"},\"priority\":3,\"idempotencyKey\":\"o-42\"}"));
    }

    @Test
    void publishMatchingNobodySaysSo() {
        server.answer("POST", "/api/v1/topics/orders/messages", 200, "{\"topic\":\"orders\",\"deliveries\":[]}");

        CliRun run = topics("publish", "orders", "1");

        assertThat(run.out()).isEqualTo("published to orders: no subscription matched, nothing stored\n");
    }

    @Test
    void deleteAndUnsubscribeUseDelete() {
        server.answer("DELETE", "/api/v1/topics/orders/subscriptions/eu", 204, "");
        server.answer("DELETE", "/api/v1/topics/orders", 204, "");

        CliRun unsubscribed = topics("unsubscribe", "orders", "eu");
        CliRun deleted = topics("delete", "orders");

        assertThat(unsubscribed.out()).isEqualTo("removed subscription eu of orders\n");
        assertThat(deleted.out()).isEqualTo("deleted topic orders\n");
    }
}
