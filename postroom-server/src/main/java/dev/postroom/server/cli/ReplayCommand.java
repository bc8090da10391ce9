package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.math.BigDecimal;

/**
 * {@code postroom replay}: sends finished messages of a queue, live or archived, again as new
 * messages ({@code POST /api/v1/replays}), after a dry run by default: without {@code --yes} it
 * only counts and lists the oldest.
 */
@Command(name = "replay", sortOptions = false,
        description = "Send finished messages (live or archived) of a queue again as new messages linked to their originals: "
                + "counts first; --yes replays and waits for the end.")
public final class ReplayCommand extends ApiCommand {
    @Option(names = "--queue", paramLabel = "QUEUE", required = true, description = "The queue they were sent to.")
    String queue;

    @Option(names = "--state", paramLabel = "STATE", description = "SUCCEEDED, DEAD or CANCELLED (default: all three).")
    String state;

    @Option(names = "--since", paramLabel = "TIME", description = "Sent at or after (RFC 3339, e.g. 2026-12-04T10:00:00Z).")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "Sent before (RFC 3339).")
    String until;

    @Option(names = "--q", paramLabel = "TEXT", description = "Free text in payload or headers.")
    String text;

    @Option(names = "--ordering-key", paramLabel = "KEY", description = "Only this ordering key.")
    String orderingKey;

    @Option(names = "--to", paramLabel = "QUEUE", description = "Send the copies to this queue instead.")
    String toQueue;

    @Option(names = "--yes", description = "Replay (without it: a dry run that changes nothing).")
    boolean yes;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "How long to wait for the replay to end (default 600).")
    BigDecimal timeoutSeconds = BigDecimal.valueOf(600);

    @Override
    void execute(ApiClient client) {
        ObjectNode body = ApiClient.JSON.createObjectNode();
        ObjectNode filter = body.putObject("filter").put("queue", queue);
        putIfGiven(filter, "state", state);
        putIfGiven(filter, "since", since);
        putIfGiven(filter, "until", until);
        putIfGiven(filter, "q", text);
        putIfGiven(filter, "orderingKey", orderingKey);
        putIfGiven(body, "toQueue", toQueue);
        if (!yes) {
            body.put("dryRun", true);
            JobPoll.printPreview(this, client.post("/api/v1/replays", body).body(), "replay",
                    "nothing was sent; run again with --yes to replay them");
            return;
        }
        JsonNode replay = client.post("/api/v1/replays", body).body();
        String id = text(replay, "id");
        replay = JobPoll.untilEnded(client, replay, "/api/v1/replays/" + ApiClient.segment(id), job -> job, timeoutSeconds, "replay " + id);
        if (json()) {
            printJson(replay);
        } else {
            out().printf("replay %s %s: %s of %s matching messages sent again to %s%n", id, text(replay, "state"), text(replay, "replayed"),
                    text(replay, "matched"), text(replay, "toQueue"));
        }
        JobPoll.requireSucceeded(replay, "replay " + id);
    }

    private static void putIfGiven(ObjectNode node, String name, String value) {
        if (value != null) {
            node.put(name, value);
        }
    }
}
