package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code postroom webhooks set|list|delete}: alert webhooks over {@code /api/v1/webhooks}. The
 * signing secret is printed by the {@code set} that issued it (a new webhook, or
 * {@code --rotate-secret}) and never again.
 */
@Command(name = "webhooks", sortOptions = false,
        description = "Register, list and delete alert webhooks (message.dead, queue.stale, queue.unconsumed, node.down).",
        subcommands = {WebhooksCommand.Register.class, WebhooksCommand.Listing.class, WebhooksCommand.Delete.class})
public final class WebhooksCommand extends GroupCommand {

    /** {@code webhooks set NAME URL --event E...}: registers or replaces a webhook. */
    @Command(name = "set", sortOptions = false,
            description = "Register a webhook, or replace its settings; a new one's signing secret is printed this once.")
    public static final class Register extends ApiCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The webhook's name, e.g. ops-slack.")
        String name;

        // A parameter, not --url: that option names the Postroom server, as on every command.
        @Parameters(index = "1", paramLabel = "URL", description = "Absolute http or https URL alerts are POSTed to.")
        String url;

        @Option(names = {"-e", "--event"}, required = true, split = ",", paramLabel = "EVENT",
                description = "message.dead, queue.stale, queue.unconsumed or node.down; repeatable or comma-separated.")
        List<String> events = new ArrayList<>();

        @Option(names = {"-q", "--queue"}, split = ",", paramLabel = "GLOB",
                description = "Only these queues' events, e.g. 'billing.*'; repeatable (default: every queue).")
        List<String> queues = new ArrayList<>();

        @Option(names = "--format", paramLabel = "FORMAT", description = "json (default) or slack.")
        String format;

        @Option(names = "--stale-seconds", paramLabel = "N", description = "queue.stale once the oldest ready message waited N s (default 300).")
        Long staleSeconds;

        @Option(names = "--unconsumed-seconds", paramLabel = "N",
                description = "queue.unconsumed once ready messages saw no consumer for N s (default 300).")
        Long unconsumedSeconds;

        @Option(names = "--rotate-secret", description = "Issue a new signing secret for an existing webhook.")
        boolean rotateSecret;

        @Override
        void execute(ApiClient client) {
            ObjectNode body = ApiClient.JSON.createObjectNode().put("url", url);
            ArrayNode eventArray = body.putArray("events");
            events.forEach(eventArray::add);
            if (!queues.isEmpty()) {
                ArrayNode queueArray = body.putArray("queues");
                queues.forEach(queueArray::add);
            }
            if (format != null) {
                body.put("format", format);
            }
            if (staleSeconds != null) {
                body.put("staleSeconds", staleSeconds);
            }
            if (unconsumedSeconds != null) {
                body.put("unconsumedSeconds", unconsumedSeconds);
            }
            if (rotateSecret) {
                body.put("rotateSecret", true);
            }
            JsonNode webhook = client.put("/api/v1/webhooks/" + ApiClient.segment(name), body).body();
            if (json()) {
                printJson(webhook);
                return;
            }
            out().printf("name    %s%nurl     %s%nevents  %s%nqueues  %s%nformat  %s%n", text(webhook, "name"), text(webhook, "url"),
                    TokensCommand.joined(webhook.path("events")), queuesOf(webhook), text(webhook, "format"));
            String secret = text(webhook, "secret");
            if (secret != null) {
                out().printf("secret  %s%n", secret);
                // On stderr so that stdout stays just the webhook's fields.
                err().println("Store the secret now: receivers check each delivery's Postroom-Signature with it; it is not shown again.");
            }
        }
    }

    /** {@code webhooks list}: every webhook with its events and queues, never its secret. */
    @Command(name = "list", sortOptions = false, description = "List webhooks (never their secrets).")
    public static final class Listing extends ApiCommand {
        @Override
        void execute(ApiClient client) {
            JsonNode answer = client.get("/api/v1/webhooks").body();
            if (json()) {
                printJson(answer);
                return;
            }
            Table table = new Table().left("NAME").left("EVENTS").left("QUEUES").left("FORMAT").left("URL");
            for (JsonNode webhook : answer.path("webhooks")) {
                table.row(text(webhook, "name"), TokensCommand.joined(webhook.path("events")), queuesOf(webhook),
                        text(webhook, "format"), text(webhook, "url"));
            }
            if (table.isEmpty()) {
                out().println("no webhooks");
            } else {
                table.print(out());
            }
        }
    }

    /** {@code webhooks delete NAME}: no more alerts; deliveries still queued are dropped. */
    @Command(name = "delete", sortOptions = false, description = "Delete a webhook; its queued deliveries are dropped.")
    public static final class Delete extends ApiCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The webhook's name.")
        String name;

        @Override
        void execute(ApiClient client) {
            client.delete("/api/v1/webhooks/" + ApiClient.segment(name));
            if (!json()) {
                out().println("deleted webhook " + name);
            }
        }
    }

    private static String queuesOf(JsonNode webhook) {
        String queues = TokensCommand.joined(webhook.path("queues"));
        return queues == null ? "*" : queues;
    }
}
