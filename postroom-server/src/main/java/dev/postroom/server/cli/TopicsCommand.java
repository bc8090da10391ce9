package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.InputStream;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * {@code postroom topics list|show|create|delete|subscribe|unsubscribe|publish}: topics over
 * {@code /api/v1/topics}. Each subcommand prints what happened (a table for {@code list} and
 * {@code show}), or the server's JSON with {@code --json}.
 */
@Command(name = "topics", sortOptions = false,
        description = "List, show, create and delete topics, subscribe queues to them, and publish.",
        subcommands = {TopicsCommand.List.class, TopicsCommand.Show.class, TopicsCommand.Create.class,
                TopicsCommand.Delete.class, TopicsCommand.Subscribe.class, TopicsCommand.Unsubscribe.class,
                TopicsCommand.Publish.class})
public final class TopicsCommand extends GroupCommand {

    static String path(String topic) {
        return "/api/v1/topics/" + ApiClient.segment(topic);
    }

    /** {@code k=v, k2=v2}, or {@code -} for a filter that takes everything. */
    static String filterText(JsonNode subscription) {
        JsonNode headers = subscription.path("filter").path("headers");
        if (!headers.isObject() || headers.isEmpty()) {
            return "-";
        }
        return headers.properties().stream().map(e -> e.getKey() + "=" + e.getValue().asText()).collect(Collectors.joining(", "));
    }

    /** {@code topics list}: every topic and how many subscriptions it has. */
    @Command(name = "list", sortOptions = false, description = "List every topic with its number of subscriptions.")
    public static final class List extends ApiCommand {
        @Override
        void execute(ApiClient client) {
            JsonNode answer = client.get("/api/v1/topics").body();
            if (json()) {
                printJson(answer);
                return;
            }
            Table table = new Table().left("TOPIC").right("SUBSCRIPTIONS").left("QUEUES");
            for (JsonNode topic : answer.path("topics")) {
                String queues = StreamSupport.stream(topic.path("subscriptions").spliterator(), false)
                        .map(s -> s.path("queue").asText()).distinct().collect(Collectors.joining(", "));
                table.row(text(topic, "name"), topic.path("subscriptions").size(), queues.isEmpty() ? null : queues);
            }
            table.print(out());
        }
    }

    /** {@code topics show TOPIC}: its subscriptions, their queues and filters. */
    @Command(name = "show", sortOptions = false, description = "Show a topic's subscriptions, their queues and filters.")
    public static final class Show extends ApiCommand {
        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        @Override
        void execute(ApiClient client) {
            JsonNode answer = client.get(path(topic)).body();
            if (json()) {
                printJson(answer);
                return;
            }
            out().println("topic " + text(answer, "name") + ", created " + text(answer, "createdAt"));
            if (answer.path("subscriptions").isEmpty()) {
                out().println("no subscriptions");
                return;
            }
            Table table = new Table().left("SUBSCRIPTION").left("QUEUE").left("FILTER");
            for (JsonNode subscription : answer.path("subscriptions")) {
                table.row(text(subscription, "name"), text(subscription, "queue"), filterText(subscription));
            }
            table.print(out());
        }
    }

    /** {@code topics create TOPIC}: creates the topic ({@code PUT}); an existing one is left as it is. */
    @Command(name = "create", sortOptions = false, description = "Create a topic (an existing one is left as it is).")
    public static final class Create extends ApiCommand {
        @Parameters(index = "0", paramLabel = "TOPIC", description = "Name: letters, digits, '.', '_', '-' (up to 128).")
        String topic;

        @Override
        void execute(ApiClient client) {
            ApiClient.Response response = client.put(path(topic), ApiClient.JSON.createObjectNode());
            if (json()) {
                printJson(response.body());
            } else {
                out().println((response.status() == 201 ? "created topic " : "topic exists already: ") + topic);
            }
        }
    }

    /** {@code topics delete TOPIC}: deletes the topic and its subscriptions; published messages stay. */
    @Command(name = "delete", sortOptions = false,
            description = "Delete a topic and its subscriptions (messages it published stay in their queues).")
    public static final class Delete extends ApiCommand {
        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        @Override
        void execute(ApiClient client) {
            client.delete(path(topic));
            if (!json()) {
                out().println("deleted topic " + topic);
            }
        }
    }

    /** {@code topics subscribe TOPIC NAME --queue QUEUE [-H k=v]...}: creates or replaces a subscription. */
    @Command(name = "subscribe", sortOptions = false,
            description = "Copy the topic's messages to a queue, optionally only those with given header values. "
                    + "An existing subscription of that name gets the new queue and filter.")
    public static final class Subscribe extends ApiCommand {
        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        @Parameters(index = "1", paramLabel = "NAME", description = "The subscription's name within the topic.")
        String name;

        @Option(names = {"-q", "--queue"}, required = true, paramLabel = "QUEUE", description = "The queue that receives the copies; it must exist.")
        String queue;

        @Option(names = {"-H", "--header"}, paramLabel = "NAME=VALUE",
                description = "Only messages with this header value; repeatable (all must match).")
        Map<String, String> headers = new LinkedHashMap<>();

        @Override
        void execute(ApiClient client) {
            ObjectNode body = ApiClient.JSON.createObjectNode().put("queue", queue);
            if (!headers.isEmpty()) {
                ObjectNode filter = body.putObject("filter").putObject("headers");
                headers.forEach(filter::put);
            }
            ApiClient.Response response = client.put(path(topic) + "/subscriptions/" + ApiClient.segment(name), body);
            if (json()) {
                printJson(response.body());
            } else {
                out().printf("%s subscription %s of %s: to %s, filter %s%n", response.status() == 201 ? "created" : "updated",
                        name, topic, queue, filterText(response.body()));
            }
        }
    }

    /** {@code topics unsubscribe TOPIC NAME}: removes a subscription; copies it received stay. */
    @Command(name = "unsubscribe", sortOptions = false, description = "Remove a subscription (copies it received stay).")
    public static final class Unsubscribe extends ApiCommand {
        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        @Parameters(index = "1", paramLabel = "NAME")
        String name;

        @Override
        void execute(ApiClient client) {
            client.delete(path(topic) + "/subscriptions/" + ApiClient.segment(name));
            if (!json()) {
                out().println("removed subscription " + name + " of " + topic);
            }
        }
    }

    /** {@code topics publish TOPIC PAYLOAD_JSON}: one copy to every matching subscription's queue; prints each. */
    @Command(name = "publish", sortOptions = false,
            description = "Publish a message: a copy goes to every subscription whose filter matches its headers.")
    public static final class Publish extends ApiCommand {
        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        @Parameters(index = "1", paramLabel = "PAYLOAD_JSON", description = "The payload as JSON; - reads it from stdin.")
        String payload;

        @Option(names = {"-H", "--header"}, paramLabel = "NAME=VALUE", description = "A message header (filters look at these); repeatable.")
        Map<String, String> headers = new LinkedHashMap<>();

        @Option(names = "--priority", paramLabel = "0-9", description = "Higher is delivered first (server default 0).")
        Integer priority;

        @Option(names = "--delay", paramLabel = "SECONDS", description = "Deliver no sooner than this many seconds from now.")
        BigDecimal delaySeconds;

        @Option(names = "--ordering-key", paramLabel = "KEY", description = "Copies with the same key are delivered one at a time per queue, in order.")
        String orderingKey;

        @Option(names = "--idempotency-key", paramLabel = "KEY", description = "A repeat returns the copies already stored instead of storing new ones.")
        String idempotencyKey;

        @Option(names = "--ttl", paramLabel = "SECONDS", description = "Dead-letter a copy not delivered within this many seconds.")
        BigDecimal ttlSeconds;

        /** Where {@code -} reads the payload from; replaced in tests. */
        InputStream stdin = System.in;

        @Override
        void execute(ApiClient client) {
            ObjectNode body = MessageArguments.message(
                    MessageArguments.payload(payload, stdin, MessageArguments.MESSAGE_EXAMPLE),
                    headers, delaySeconds, priority, orderingKey, idempotencyKey, ttlSeconds);
            JsonNode published = client.post(path(topic) + "/messages", body).body();
            if (json()) {
                printJson(published);
                return;
            }
            if (published.path("deliveries").isEmpty()) {
                out().println("published to " + topic + ": no subscription matched, nothing stored");
                return;
            }
            for (JsonNode delivery : published.path("deliveries")) {
                out().printf("%s %s to %s via %s (%s)%n", delivery.path("duplicate").asBoolean(false) ? "duplicate" : "published",
                        text(delivery, "id"), text(delivery, "queue"), text(delivery, "subscription"), text(delivery, "state"));
            }
        }
    }
}
