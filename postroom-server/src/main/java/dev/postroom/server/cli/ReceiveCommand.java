package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code postroom receive QUEUE}: leases messages ({@code POST /api/v1/queues/{queue}/receive})
 * and prints them; with {@code --ack} acknowledges each one after printing it, which makes the
 * command a one-shot consumer for scripts and for draining a queue by hand. Without {@code --ack}
 * the messages go back to ready when their lease expires.
 */
@Command(name = "receive", sortOptions = false,
        description = "Lease messages from a queue and print them.")
public final class ReceiveCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "QUEUE", description = "The queue to receive from.")
    String queue;

    @Option(names = "--max", paramLabel = "N", description = "At most this many messages, 1–100 (server default 1).")
    Integer max;

    @Option(names = "--wait", paramLabel = "SECONDS", description = "Wait up to this long (0–20) for a message to become ready.")
    BigDecimal waitSeconds;

    @Option(names = "--lease", paramLabel = "SECONDS", description = "Hold the messages this long (default: the queue's lease).")
    BigDecimal leaseSeconds;

    @Option(names = "--ack", description = "Acknowledge each message after printing it.")
    boolean ack;

    @Override
    void execute(ApiClient client) {
        ObjectNode body = ApiClient.JSON.createObjectNode();
        if (max != null) {
            body.put("max", max);
        }
        if (waitSeconds != null) {
            body.put("waitSeconds", waitSeconds);
        }
        if (leaseSeconds != null) {
            body.put("leaseSeconds", leaseSeconds);
        }
        JsonNode answer = client.post("/api/v1/queues/" + ApiClient.segment(queue) + "/receive", body,
                ApiClient.timeoutFor(waitSeconds)).body();
        JsonNode messages = answer.path("messages");
        // Printed before acking: if an ack fails the user has still seen what was taken.
        if (json()) {
            printJson(answer);
        } else if (messages.isEmpty()) {
            out().println("no messages ready in " + queue);
        } else {
            Table table = new Table().left("ID").right("ATTEMPT").left("LEASE-ID").left("PAYLOAD");
            for (JsonNode m : messages) {
                table.row(text(m, "id"), text(m, "attempt"), text(m, "leaseId"), m.path("payload").toString());
            }
            table.print(out());
        }
        out().flush();
        if (ack && !messages.isEmpty()) {
            acknowledge(client, messages);
        }
    }

    /** One batch ack for every message taken; an entry that could not be acked fails the command, naming it. */
    private void acknowledge(ApiClient client, JsonNode messages) {
        ObjectNode body = ApiClient.JSON.createObjectNode();
        var acks = body.putArray("acks");
        for (JsonNode m : messages) {
            acks.addObject().put("id", text(m, "id")).put("leaseId", text(m, "leaseId"));
        }
        JsonNode results = client.post("/api/v1/messages:ack", body).body().path("results");
        List<String> failed = new ArrayList<>();
        for (JsonNode result : results) {
            if (result.path("status").asInt() != 200) {
                failed.add("ack " + text(result, "id") + ": " + result.path("status").asInt() + " " + text(result, "detail"));
            }
        }
        if (!failed.isEmpty()) {
            throw new CliException(String.join("\n", failed));
        }
        if (!json()) {
            out().println("acked " + messages.size());
        }
    }
}
