package dev.postroom.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code postroom batches send|show|list}: sends messages as one batch ({@code POST
 * /api/v1/queues/{queue}/messages:batch} with {@code batch}), shows a batch's counts and completion
 * ({@code GET /api/v1/batches/{id}}), and lists recent batches ({@code GET /api/v1/batches}).
 */
@Command(name = "batches", sortOptions = false,
        description = "Send messages as one batch, and follow batches.",
        subcommands = {BatchesCommand.Send.class, BatchesCommand.Show.class, BatchesCommand.Recent.class})
public final class BatchesCommand extends GroupCommand {

    /**
     * {@code batches send QUEUE FILE [--on-complete QUEUE --on-complete-payload JSON]}: one payload
     * per line of FILE ({@code -}: stdin), all stored or none.
     */
    @Command(name = "send", sortOptions = false,
            description = "Send the payloads in FILE (one JSON value per line; - reads stdin) as one batch.")
    public static final class Send extends ApiCommand {
        @Parameters(index = "0", paramLabel = "QUEUE", description = "The queue to send to; it must exist.")
        String queue;

        @Parameters(index = "1", paramLabel = "FILE", description = "Payloads, one JSON value per line (blank lines skipped); - reads stdin.")
        String file;

        @Option(names = "--on-complete", paramLabel = "QUEUE", description = "Send a completion message here once every member has ended.")
        String onCompleteQueue;

        @Option(names = "--on-complete-payload", paramLabel = "JSON", description = "The completion message's payload (default null).")
        String onCompletePayload;

        @Option(names = "--on-complete-header", paramLabel = "NAME=VALUE", description = "A header of the completion message; repeatable.")
        Map<String, String> onCompleteHeaders = new LinkedHashMap<>();

        /** Where {@code -} reads the payloads from; replaced in tests. */
        InputStream stdin = System.in;

        @Override
        void execute(ApiClient client) {
            if (onCompleteQueue == null && (onCompletePayload != null || !onCompleteHeaders.isEmpty())) {
                throw new CliException("--on-complete-payload and --on-complete-header need --on-complete QUEUE");
            }
            ObjectNode body = ApiClient.JSON.createObjectNode();
            ArrayNode messages = body.putArray("messages");
            readPayloads(messages);
            if (messages.isEmpty()) {
                throw new CliException("no payloads in " + ("-".equals(file) ? "stdin" : file) + "; give one JSON value per line");
            }
            ObjectNode batch = body.putObject("batch");
            if (onCompleteQueue != null) {
                ObjectNode onComplete = batch.putObject("onComplete");
                onComplete.put("queue", onCompleteQueue);
                if (onCompletePayload != null) {
                    onComplete.set("payload", parse(onCompletePayload, "--on-complete-payload"));
                }
                if (!onCompleteHeaders.isEmpty()) {
                    ObjectNode headers = onComplete.putObject("headers");
                    onCompleteHeaders.forEach(headers::put);
                }
            }
            JsonNode sent = client.post("/api/v1/queues/" + ApiClient.segment(queue) + "/messages:batch", body).body();
            if (json()) {
                printJson(sent);
            } else {
                out().printf("sent batch %s: %d messages to %s%s%n", text(sent, "batchId"), sent.path("results").size(), queue,
                        onCompleteQueue == null ? "" : "; completion message to " + onCompleteQueue);
            }
        }

        private void readPayloads(ArrayNode messages) {
            try (Reader reader = "-".equals(file) ? new InputStreamReader(stdin, StandardCharsets.UTF_8)
                    : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
                 BufferedReader lines = new BufferedReader(reader)) {
                String line;
                int number = 0;
                while ((line = lines.readLine()) != null) {
                    number++;
                    if (!line.isBlank()) {
                        messages.addObject().set("payload", parse(line, "line " + number));
                    }
                }
            } catch (NoSuchFileException e) {
                throw new CliException("no such file: " + file);
            } catch (IOException e) {
                throw new CliException("cannot read " + file + ": " + e.getMessage());
            }
        }

        /** Checked here rather than by the server, so the user sees which line broke. */
        private static JsonNode parse(String text, String where) {
            try {
                return MessageArguments.STRICT.readTree(text);
            } catch (JsonProcessingException e) {
                throw new CliException(where + " is not valid JSON: " + e.getOriginalMessage().replaceAll("\\s+", " "));
            }
        }
    }

    /** {@code batches show ID}: the batch's counts by state and its completion. */
    @Command(name = "show", sortOptions = false, description = "Show a batch: its members by state and its completion message.")
    public static final class Show extends ApiCommand {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        void execute(ApiClient client) {
            JsonNode b = client.get("/api/v1/batches/" + ApiClient.segment(id)).body();
            if (json()) {
                printJson(b);
            } else {
                print(b, out());
            }
        }

        static void print(JsonNode b, PrintWriter out) {
            String[][] fields = {
                    {"id", text(b, "id")},
                    {"queue", text(b, "queue")},
                    {"created", text(b, "createdAt")},
                    {"members", text(b, "total")},
                    {"pending", text(b, "pending")},
                    {"succeeded", text(b, "succeeded")},
                    {"failed", text(b, "failed")},
                    {"cancelled", text(b, "cancelled")},
                    {"deleted", text(b, "deleted")},
                    {"completed", b.path("complete").asBoolean(false) ? text(b, "completedAt") : "no"},
                    {"on complete", text(b, "completionQueue") == null ? "-"
                            : text(b, "completionQueue") + (text(b, "completionMessageId") == null ? "" : " (" + text(b, "completionMessageId") + ")")},
            };
            for (String[] field : fields) {
                out.printf("%-11s %s%n", field[0], field[1] == null ? "-" : field[1]);
            }
        }
    }

    /** {@code batches list [--limit N]}: recent batches, newest first. */
    @Command(name = "list", sortOptions = false, description = "List recent batches, newest first.")
    public static final class Recent extends ApiCommand {
        @Option(names = "--limit", paramLabel = "N", description = "At most this many (1-500, default 20).")
        int limit = 20;

        @Override
        void execute(ApiClient client) {
            JsonNode page = client.get("/api/v1/batches?limit=" + limit).body();
            if (json()) {
                printJson(page);
                return;
            }
            Table table = new Table().left("ID").left("QUEUE").left("CREATED").right("TOTAL").right("PENDING")
                    .right("SUCCEEDED").right("FAILED").right("CANCELLED").left("COMPLETED");
            for (JsonNode b : page.path("batches")) {
                table.row(text(b, "id"), text(b, "queue"), text(b, "createdAt"), text(b, "total"), text(b, "pending"),
                        text(b, "succeeded"), text(b, "failed"), text(b, "cancelled"),
                        b.path("complete").asBoolean(false) ? text(b, "completedAt") : "-");
            }
            table.print(out());
        }
    }
}
