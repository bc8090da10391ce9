package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/**
 * {@code postroom stats}: one row per queue ({@code GET /api/v1/queues}) with whether it is paused
 * and how many messages it holds in each state.
 */
@Command(name = "stats", sortOptions = false,
        description = "Show every queue with its message counts per state.")
public final class StatsCommand extends ApiCommand {

    @Override
    void execute(ApiClient client) {
        JsonNode answer = client.get("/api/v1/queues").body();
        if (json()) {
            printJson(answer);
            return;
        }
        Table table = queueTable();
        for (JsonNode queue : answer.path("queues")) {
            addRow(table, queue);
        }
        if (table.isEmpty()) {
            out().println("no queues");
        } else {
            table.print(out());
        }
    }

    /** The columns of the queue table, in the order of the message life cycle. */
    static Table queueTable() {
        return new Table().left("QUEUE").left("PAUSED").right("SCHEDULED").right("READY").right("IN-FLIGHT")
                .right("SUCCEEDED").right("DEAD").right("CANCELLED");
    }

    static void addRow(Table table, JsonNode queue) {
        JsonNode c = queue.path("counts");
        table.row(text(queue, "name"), queue.path("paused").asBoolean(false) ? "yes" : "no",
                text(c, "scheduled"), text(c, "ready"), text(c, "inFlight"),
                text(c, "succeeded"), text(c, "dead"), text(c, "cancelled"));
    }
}
