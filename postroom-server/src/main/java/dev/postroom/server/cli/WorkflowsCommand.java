package dev.postroom.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code postroom workflows start|show|list|cancel|retry}: starts a workflow from a JSON file
 * ({@code POST /api/v1/workflows}), shows one with its steps, lists them, and cancels or retries one.
 */
@Command(name = "workflows", sortOptions = false,
        description = "Start workflows (steps that follow steps), follow them, cancel or retry them.",
        subcommands = {WorkflowsCommand.Start.class, WorkflowsCommand.Show.class, WorkflowsCommand.Recent.class,
                WorkflowsCommand.Cancel.class, WorkflowsCommand.Retry.class})
public final class WorkflowsCommand extends GroupCommand {

    /** {@code workflows start FILE}: the body of {@code POST /api/v1/workflows}, from a file or stdin. */
    @Command(name = "start", sortOptions = false,
            description = "Start the workflow in FILE: {\"name\", \"idempotencyKey\", \"steps\": [{\"name\", \"queue\", \"payload\", "
                    + "\"after\": [...], \"runOnFailure\"}]}; - reads stdin.")
    public static final class Start extends ApiCommand {
        @Parameters(index = "0", paramLabel = "FILE", description = "The workflow as JSON; - reads stdin.")
        String file;

        /** Where {@code -} reads the workflow from; replaced in tests. */
        InputStream stdin = System.in;

        @Override
        void execute(ApiClient client) {
            JsonNode body = parse(read());
            JsonNode started = client.post("/api/v1/workflows", body).body();
            if (json()) {
                printJson(started);
                return;
            }
            out().printf("%s workflow %s (%s)%n", started.path("duplicate").asBoolean(false) ? "already started:" : "started",
                    ApiCommand.text(started, "id"), ApiCommand.text(started, "state"));
            steps(started.path("steps"), out());
        }

        private String read() {
            try {
                return "-".equals(file) ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8)
                        : Files.readString(Path.of(file), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new CliException("no such file: " + file);
            } catch (IOException e) {
                throw new CliException("cannot read " + file + ": " + e.getMessage());
            }
        }

        /** Checked here rather than by the server, so the user sees where the JSON broke. */
        private JsonNode parse(String text) {
            try {
                JsonNode body = MessageArguments.STRICT.readTree(text);
                if (body == null || !body.isObject()) {
                    throw new CliException(("-".equals(file) ? "stdin" : file) + " must hold one JSON object with \"steps\"");
                }
                return body;
            } catch (JsonProcessingException e) {
                throw new CliException(("-".equals(file) ? "stdin" : file) + " is not valid JSON (line " + e.getLocation().getLineNr()
                        + ", column " + e.getLocation().getColumnNr() + "): " + e.getOriginalMessage().replaceAll("\\s+", " "));
            }
        }
    }

    /** {@code workflows show ID}: the workflow's state and each step. */
    @Command(name = "show", sortOptions = false, description = "Show a workflow and the state of each step.")
    public static final class Show extends ApiCommand {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        void execute(ApiClient client) {
            printWorkflow(this, client.get("/api/v1/workflows/" + ApiClient.segment(id)).body());
        }
    }

    /** {@code workflows list [--state S] [--name N] [--limit N]}: newest first. */
    @Command(name = "list", sortOptions = false, description = "List workflows, newest first.")
    public static final class Recent extends ApiCommand {
        @Option(names = "--state", paramLabel = "STATE", description = "Only RUNNING, SUCCEEDED, FAILED or CANCELLED ones.")
        String state;

        @Option(names = "--name", paramLabel = "NAME", description = "Only workflows with this name.")
        String name;

        @Option(names = "--limit", paramLabel = "N", description = "At most this many (1-500, default 20).")
        int limit = 20;

        @Override
        void execute(ApiClient client) {
            List<String> query = new ArrayList<>(List.of("limit=" + limit));
            if (state != null) {
                query.add("state=" + ApiClient.segment(state));
            }
            if (name != null) {
                query.add("name=" + ApiClient.segment(name));
            }
            JsonNode page = client.get("/api/v1/workflows?" + String.join("&", query)).body();
            if (json()) {
                printJson(page);
                return;
            }
            Table table = new Table().left("ID").left("NAME").left("STATE").left("CREATED").right("STEPS").right("DONE").left("ENDED");
            for (JsonNode w : page.path("workflows")) {
                long done = 0;
                for (JsonNode step : w.path("steps")) {
                    done += "SUCCEEDED".equals(ApiCommand.text(step, "state")) ? 1 : 0;
                }
                table.row(ApiCommand.text(w, "id"), orDash(ApiCommand.text(w, "name")), ApiCommand.text(w, "state"), ApiCommand.text(w, "createdAt"),
                        Integer.toString(w.path("steps").size()), Long.toString(done), orDash(ApiCommand.text(w, "endedAt")));
            }
            table.print(out());
        }
    }

    /** {@code workflows cancel ID}: cancels every unfinished step. */
    @Command(name = "cancel", sortOptions = false, description = "Cancel a workflow: every unfinished step is cancelled.")
    public static final class Cancel extends ApiCommand {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        void execute(ApiClient client) {
            printWorkflow(this, client.post("/api/v1/workflows/" + ApiClient.segment(id) + "/cancel", null).body());
        }
    }

    /** {@code workflows retry ID}: retries every dead step, so that a failed workflow runs on. */
    @Command(name = "retry", sortOptions = false, description = "Retry every DEAD step of a workflow, so that it runs on.")
    public static final class Retry extends ApiCommand {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        void execute(ApiClient client) {
            printWorkflow(this, client.post("/api/v1/workflows/" + ApiClient.segment(id) + "/retry", null).body());
        }
    }

    private static void printWorkflow(ApiCommand command, JsonNode w) {
        if (command.json()) {
            command.printJson(w);
            return;
        }
        PrintWriter out = command.out();
        out.printf("%-8s %s%n", "id", ApiCommand.text(w, "id"));
        out.printf("%-8s %s%n", "name", orDash(ApiCommand.text(w, "name")));
        out.printf("%-8s %s%n", "state", ApiCommand.text(w, "state"));
        out.printf("%-8s %s%n", "created", ApiCommand.text(w, "createdAt"));
        out.printf("%-8s %s%n", "ended", orDash(ApiCommand.text(w, "endedAt")));
        steps(w.path("steps"), out);
    }

    private static void steps(JsonNode steps, PrintWriter out) {
        Table table = new Table().left("STEP").left("STATE").left("QUEUE").left("AFTER").left("MESSAGE");
        for (JsonNode step : steps) {
            List<String> after = new ArrayList<>();
            step.path("after").forEach(a -> after.add(a.asText()));
            table.row(ApiCommand.text(step, "name"), ApiCommand.text(step, "state"), orDash(ApiCommand.text(step, "queue")),
                    after.isEmpty() ? "-" : String.join(",", after) + (step.path("runOnFailure").asBoolean(false) ? " (even on failure)" : ""),
                    ApiCommand.text(step, "messageId"));
        }
        table.print(out);
    }

    private static String orDash(String text) {
        return text == null ? "-" : text;
    }
}
