package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code postroom messages get|retry|cancel ID}: looks at one message ({@code GET
 * /api/v1/messages/{id}}, with its errors and timeline) or acts on it. Retry and cancel are only
 * allowed in some states; the server's 409 comes back as the one-line reason.
 */
@Command(name = "messages", sortOptions = false,
        description = "Show, retry or cancel one message.",
        subcommands = {MessagesCommand.Get.class, MessagesCommand.Retry.class, MessagesCommand.Cancel.class, MessagesCommand.Snooze.class})
public final class MessagesCommand extends GroupCommand {

    static String path(String id) {
        return "/api/v1/messages/" + ApiClient.segment(id);
    }

    /** {@code messages get ID [--wait SECONDS]}: the message, its attempts' errors and its timeline. */
    @Command(name = "get", sortOptions = false,
            description = "Show a message with its errors and timeline.")
    public static final class Get extends ApiCommand {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Option(names = "--wait", paramLabel = "SECONDS", description = "Wait up to this long for the message to reach a final state.")
        BigDecimal waitSeconds;

        @Override
        void execute(ApiClient client) {
            String query = waitSeconds == null ? "" : "?waitSeconds=" + waitSeconds.toPlainString();
            JsonNode m = client.get(path(id) + query, ApiClient.timeoutFor(waitSeconds)).body();
            if (json()) {
                printJson(m);
            } else {
                print(m, out());
            }
        }

        static void print(JsonNode m, PrintWriter out) {
            List<String[]> fields = new ArrayList<>();
            fields.add(new String[] {"id", text(m, "id")});
            fields.add(new String[] {"queue", text(m, "queue")});
            fields.add(new String[] {"state", text(m, "state")});
            String attempt = text(m, "attempt");
            String maxAttempts = text(m, "maxAttempts");
            fields.add(new String[] {"attempt", maxAttempts == null ? attempt : attempt + " of " + maxAttempts});
            JsonNode progress = m.path("progress");
            if (progress.isObject()) {
                String percent = text(progress, "percent");
                String note = text(progress, "note");
                fields.add(new String[] {"progress", ((percent == null ? "" : percent + "% ") + (note == null ? "" : note)).strip()});
            }
            if (m.hasNonNull("result")) {
                fields.add(new String[] {"result", m.get("result").toString()});
            }
            fields.add(new String[] {"payload", m.path("payload").toString()});
            JsonNode headers = m.path("headers");
            if (headers.isObject() && !headers.isEmpty()) {
                List<String> pairs = new ArrayList<>();
                headers.properties().forEach(e -> pairs.add(e.getKey() + "=" + e.getValue().asText()));
                fields.add(new String[] {"headers", String.join(", ", pairs)});
            }
            for (String[] field : fields) {
                out.printf("%-9s %s%n", field[0], field[1] == null ? "-" : field[1]);
            }
            JsonNode errors = m.path("errors");
            if (!errors.isEmpty()) {
                out.println();
                out.println("errors");
                for (JsonNode error : errors) {
                    String message = error.isObject() ? text(error, "message") : null;
                    String at = error.isObject() ? text(error, "attempt") : null;
                    out.println("  " + (message == null ? error.toString()
                            : (at == null ? "" : "attempt " + at + ": ") + message.replaceAll("\\s+", " ")));
                }
            }
            JsonNode timeline = m.path("timeline");
            if (!timeline.isEmpty()) {
                out.println();
                Table table = new Table().left("AT").left("STATE").left("NODE").right("ATTEMPT").left("REASON");
                for (JsonNode step : timeline) {
                    table.row(text(step, "at"), text(step, "state"), text(step, "node"), text(step, "attempt"), text(step, "reason"));
                }
                table.print(out);
            }
        }
    }

    /** {@code messages retry ID}: gives a dead (or cancelled) message another round of attempts. */
    @Command(name = "retry", sortOptions = false, description = "Make a dead or cancelled message ready again.")
    public static final class Retry extends ApiCommand {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        void execute(ApiClient client) {
            JsonNode m = client.post(path(id) + "/retry", ApiClient.JSON.createObjectNode()).body();
            if (json()) {
                printJson(m);
            } else {
                out().println("retried " + id + " (now " + text(m, "state") + ")");
            }
        }
    }

    /** {@code messages cancel ID}: stops a message from being delivered (again). */
    @Command(name = "cancel", sortOptions = false, description = "Cancel a message that has not finished.")
    public static final class Cancel extends ApiCommand {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        void execute(ApiClient client) {
            JsonNode m = client.post(path(id) + "/cancel", ApiClient.JSON.createObjectNode()).body();
            if (json()) {
                printJson(m);
            } else {
                out().println("cancelled " + id + " (now " + text(m, "state") + ")");
            }
        }
    }

    /** {@code messages snooze ID --lease LEASE --seconds N}: puts a message received with {@code receive} back, no attempt spent. */
    @Command(name = "snooze", sortOptions = false,
            description = "Put a message you hold (from receive) back for a while without spending its attempt.")
    public static final class Snooze extends ApiCommand {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Option(names = "--lease", paramLabel = "LEASE_ID", required = true, description = "The lease id receive printed.")
        String leaseId;

        @Option(names = "--seconds", paramLabel = "SECONDS", required = true, description = "How long until it is ready again; 0 for at once.")
        java.math.BigDecimal seconds;

        @Override
        void execute(ApiClient client) {
            com.fasterxml.jackson.databind.node.ObjectNode body = ApiClient.JSON.createObjectNode();
            body.put("leaseId", leaseId);
            body.put("seconds", seconds);
            JsonNode m = client.post(path(id) + "/snooze", body).body();
            if (json()) {
                printJson(m);
            } else {
                out().println("snoozed " + id + " (now " + text(m, "state") + ", snoozed " + text(m, "snoozes") + " times, attempt "
                        + text(m, "attempt") + ")");
            }
        }
    }
}
