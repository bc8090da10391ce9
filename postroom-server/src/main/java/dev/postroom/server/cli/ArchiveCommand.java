package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code postroom archive}: a page of archived messages ({@code GET /api/v1/archive}), newest
 * first, with the filters of the live list; {@code --after} continues where a page ended.
 */
@Command(name = "archive", sortOptions = false,
        description = "List archived messages (finished ones kept past retention by queues with archiveHours), newest first.")
public final class ArchiveCommand extends ApiCommand {
    @Option(names = "--queue", paramLabel = "QUEUE", description = "Only this queue.")
    String queue;

    @Option(names = "--state", paramLabel = "STATE", description = "SUCCEEDED, DEAD or CANCELLED.")
    String state;

    @Option(names = "--ordering-key", paramLabel = "KEY", description = "Only this ordering key.")
    String orderingKey;

    @Option(names = "--q", paramLabel = "TEXT", description = "Free text in payload or headers.")
    String text;

    @Option(names = "--since", paramLabel = "TIME", description = "Sent at or after (RFC 3339, e.g. 2026-12-04T10:00:00Z).")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "Sent before (RFC 3339).")
    String until;

    @Option(names = "--limit", paramLabel = "N", description = "Page size, 1-500 (default 50).")
    Integer limit;

    @Option(names = "--after", paramLabel = "CURSOR", description = "The cursor a previous page printed, for the next page.")
    String after;

    @Override
    void execute(ApiClient client) {
        List<String> parameters = new ArrayList<>();
        add(parameters, "queue", queue);
        add(parameters, "state", state);
        add(parameters, "orderingKey", orderingKey);
        add(parameters, "q", text);
        add(parameters, "since", since);
        add(parameters, "until", until);
        add(parameters, "limit", limit == null ? null : limit.toString());
        add(parameters, "after", after);
        JsonNode page = client.get("/api/v1/archive" + (parameters.isEmpty() ? "" : "?" + String.join("&", parameters))).body();
        if (json()) {
            printJson(page);
            return;
        }
        Table table = new Table().left("ID").left("QUEUE").left("STATE").left("FINISHED").left("PAYLOAD");
        for (JsonNode m : page.path("messages")) {
            String preview = m.path("payloadPreview").asText("");
            table.row(text(m, "id"), text(m, "queue"), text(m, "state"), text(m, "updatedAt"),
                    preview.length() > 60 ? preview.substring(0, 59) + "…" : preview);
        }
        if (table.isEmpty()) {
            out().println("no archived messages match");
        } else {
            table.print(out());
        }
        if (!page.path("next").isNull() && !page.path("next").isMissingNode()) {
            out().println("more: --after " + text(page, "next"));
        }
    }

    static void add(List<String> parameters, String name, String value) {
        if (value != null) {
            parameters.add(name + "=" + ApiClient.segment(value));
        }
    }
}
