package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code postroom schedules list|show|put|delete|pause|resume}: cron schedules over
 * {@code /api/v1/schedules}. Each prints what happened (with the next run, where there is one), or
 * the server's JSON with {@code --json}.
 */
@Command(name = "schedules", sortOptions = false,
        description = "List, show, create or replace, delete, pause and resume cron schedules.",
        subcommands = {SchedulesCommand.Listing.class, SchedulesCommand.Show.class, SchedulesCommand.Put.class,
                SchedulesCommand.Delete.class, SchedulesCommand.Pause.class, SchedulesCommand.Resume.class})
public final class SchedulesCommand extends GroupCommand {
    static String path(String name) {
        return "/api/v1/schedules/" + ApiClient.segment(name);
    }

    /** "next run at T", or "paused" when there is none. */
    static String next(JsonNode schedule) {
        String next = text(schedule, "nextRunAt");
        return next == null ? "paused" : "next run at " + next;
    }

    private static String text(JsonNode node, String field) {
        return ApiCommand.text(node, field);
    }

    /** {@code schedules list}: every schedule with its next and last run. */
    @Command(name = "list", sortOptions = false, description = "List schedules with their next and last run.")
    public static final class Listing extends ApiCommand {
        @Override
        void execute(ApiClient client) {
            JsonNode answer = client.get("/api/v1/schedules").body();
            if (json()) {
                printJson(answer);
                return;
            }
            Table table = new Table().left("NAME").left("CRON").left("TIMEZONE").left("QUEUE").left("NEXT-RUN").left("LAST-RUN")
                    .left("LAST-MESSAGE");
            for (JsonNode s : answer.path("schedules")) {
                String nextRun = text(s, "nextRunAt");
                String lastRun = text(s, "lastRunAt");
                table.row(text(s, "name"), text(s, "cron"), text(s, "timezone"), text(s, "queue"),
                        nextRun == null ? "paused" : nextRun, lastRun == null ? "never" : lastRun, text(s, "lastMessageId"));
            }
            if (table.isEmpty()) {
                out().println("no schedules");
            } else {
                table.print(out());
            }
        }
    }

    /** {@code schedules show NAME}: one schedule, field by field. */
    @Command(name = "show", sortOptions = false, description = "Show one schedule.")
    public static final class Show extends ApiCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        void execute(ApiClient client) {
            JsonNode s = client.get(path(name)).body();
            if (json()) {
                printJson(s);
                return;
            }
            Map<String, String> lines = new LinkedHashMap<>();
            lines.put("name", text(s, "name"));
            lines.put("cron", text(s, "cron"));
            lines.put("timezone", text(s, "timezone"));
            lines.put("queue", text(s, "queue"));
            lines.put("payload", s.path("payload").toString());
            lines.put("headers", s.path("headers").isEmpty() ? null : s.path("headers").toString());
            lines.put("missed-runs", text(s, "missedRuns"));
            lines.put("paused", text(s, "paused"));
            lines.put("next-run", text(s, "nextRunAt"));
            lines.put("last-run", text(s, "lastRunAt") == null ? "never" : text(s, "lastRunAt"));
            lines.put("last-message", text(s, "lastMessageId"));
            lines.forEach((key, value) -> out().printf("%-13s%s%n", key, value == null ? "-" : value));
        }
    }

    /** {@code schedules put NAME --cron C --queue Q --payload JSON [...]}: creates or replaces ({@code PUT}). */
    @Command(name = "put", sortOptions = false,
            description = "Create a schedule, or replace its definition if it exists.")
    public static final class Put extends ApiCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "Name: letters, digits, '.', '_', '-' (up to 128).")
        String name;

        @Option(names = "--cron", required = true, paramLabel = "EXPR",
                description = "Five fields ('30 2 * * *': 02:30 daily) or six with leading seconds ('*/10 * * * * *').")
        String cron;

        @Option(names = "--timezone", paramLabel = "ZONE", description = "IANA zone the cron is read in, e.g. Europe/Berlin (server default UTC).")
        String timezone;

        @Option(names = "--queue", required = true, paramLabel = "QUEUE", description = "The queue each run sends to; it must exist.")
        String queue;

        @Option(names = "--payload", required = true, paramLabel = "JSON", description = "The payload each run sends, as JSON; - reads it from stdin.")
        String payload;

        @Option(names = {"-H", "--header"}, paramLabel = "NAME=VALUE", description = "A header each run's message carries; repeatable.")
        Map<String, String> headers = new LinkedHashMap<>();

        @Option(names = "--missed-runs", paramLabel = "POLICY",
                description = "skip (server default) or runOnce: what a run missed while no node ran does.")
        String missedRuns;

        @Option(names = "--paused", negatable = true,
                description = "Create or keep it paused (--no-paused runs it); left out, an existing schedule keeps its state.")
        Boolean paused;

        /** Where {@code -} reads the payload from; replaced in tests. */
        InputStream stdin = System.in;

        @Override
        void execute(ApiClient client) {
            ObjectNode body = ApiClient.JSON.createObjectNode().put("cron", cron);
            if (timezone != null) {
                body.put("timezone", timezone);
            }
            body.put("queue", queue);
            body.set("payload", MessageArguments.payload(payload, stdin, "'{\"report\":\"daily\"}'"));
            MessageArguments.putHeaders(body, headers);
            if (paused != null) {
                body.put("paused", paused);
            }
            if (missedRuns != null) {
                body.put("missedRuns", missedRuns);
            }
            ApiClient.Response response = client.put(path(name), body);
            if (json()) {
                printJson(response.body());
            } else {
                out().println((response.status() == 201 ? "created schedule " : "updated schedule ") + name + "; " + next(response.body()));
            }
        }
    }

    /** {@code schedules delete NAME}: no more runs; messages already sent stay. */
    @Command(name = "delete", sortOptions = false, description = "Delete a schedule (messages it sent stay in their queue).")
    public static final class Delete extends ApiCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        void execute(ApiClient client) {
            client.delete(path(name));
            if (!json()) {
                out().println("deleted schedule " + name);
            }
        }
    }

    /** {@code schedules pause NAME}: no runs until resumed. */
    @Command(name = "pause", sortOptions = false, description = "Stop a schedule's runs until it is resumed.")
    public static final class Pause extends ApiCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        void execute(ApiClient client) {
            JsonNode answer = client.post(path(name) + "/pause", ApiClient.JSON.createObjectNode()).body();
            if (json()) {
                printJson(answer);
            } else {
                out().println("paused schedule " + name);
            }
        }
    }

    /** {@code schedules resume NAME}: runs again from the first run after now. */
    @Command(name = "resume", sortOptions = false, description = "Run a paused schedule again, from its next run after now.")
    public static final class Resume extends ApiCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        void execute(ApiClient client) {
            JsonNode answer = client.post(path(name) + "/resume", ApiClient.JSON.createObjectNode()).body();
            if (json()) {
                printJson(answer);
            } else {
                out().println("resumed schedule " + name + "; " + next(answer));
            }
        }
    }
}
