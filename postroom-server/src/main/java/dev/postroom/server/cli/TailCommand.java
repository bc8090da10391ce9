package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.time.Clock;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code postroom tail}: follows the server's live events ({@code GET /api/v1/events}) and prints
 * one line per event until Ctrl-C or until the server ends the stream. {@code message} events
 * (a message changed state) and {@code queue} events (a queue's counts) get their own layout;
 * others are printed with their raw data so a newer server's events are not hidden.
 * {@code --queue} filters on the client: the stream carries every queue.
 */
@Command(name = "tail", sortOptions = false,
        description = "Follow live events, one line each, until Ctrl-C.")
public final class TailCommand extends ApiCommand {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Option(names = {"-q", "--queue"}, paramLabel = "QUEUE", description = "Only events of this queue; repeatable.")
    List<String> queues = new ArrayList<>();

    /** Stamps each line with the local time the event arrived; replaced in tests. */
    Clock clock = Clock.systemDefaultZone();

    @Override
    void execute(ApiClient client) {
        client.events("/api/v1/events", this::print);
    }

    private void print(ServerSentEvent event) {
        JsonNode data;
        try {
            data = ApiClient.JSON.readTree(event.data());
        } catch (IOException notJson) {
            data = null;
        }
        String queue = data == null ? null : text(data, "queue");
        if (!queues.isEmpty() && (queue == null || !queues.contains(queue))) {
            return;
        }
        if (json()) {
            var line = ApiClient.JSON.createObjectNode().put("event", event.name());
            if (data != null) {
                line.set("data", data);
            } else {
                line.put("data", event.data());
            }
            printJson(line);
        } else {
            out().println(LocalTime.now(clock).format(TIME) + "  " + describe(event, data));
        }
        // One event per line as it happens, also when stdout is a pipe into grep.
        out().flush();
    }

    private static String describe(ServerSentEvent event, JsonNode data) {
        if (data == null) {
            return String.format("%-8s %s", event.name(), event.data().replaceAll("\\s+", " "));
        }
        if (event.name().equals("message")) {
            return String.format("%-8s %s  %s  %s", "message", text(data, "queue"), text(data, "id"), text(data, "state"));
        }
        if (event.name().equals("queue") && data.path("counts").isObject()) {
            JsonNode c = data.path("counts");
            return String.format("%-8s %s  scheduled=%s ready=%s in-flight=%s succeeded=%s dead=%s cancelled=%s", "queue",
                    text(data, "queue"), count(c, "scheduled"), count(c, "ready"), count(c, "inFlight"),
                    count(c, "succeeded"), count(c, "dead"), count(c, "cancelled"));
        }
        return String.format("%-8s %s", event.name(), data);
    }

    private static String count(JsonNode counts, String field) {
        JsonNode value = counts.get(field);
        return value == null || value.isNull() ? "-" : value.asText();
    }
}
