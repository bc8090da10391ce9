package dev.postroom.server.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static dev.postroom.server.cli.SendCommandTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code postroom schedules list|show|put|delete|pause|resume}. */
class SchedulesCommandTest {
    private static final String NIGHTLY = """
            {"name":"nightly","cron":"30 2 * * *","timezone":"Europe/Berlin","queue":"reports","payload":{"report":"daily"},
             "headers":{},"missedRuns":"skip","paused":false,"nextRunAt":"2026-03-29T01:30:00Z","lastRunAt":null,
             "lastMessageId":null,"createdAt":"2026-03-28T12:00:00Z","updatedAt":"2026-03-28T12:00:00Z"}""";
    private static final String PAUSED = NIGHTLY.replace("\"paused\":false", "\"paused\":true").replace("\"2026-03-29T01:30:00Z\"", "null");

    private final CannedServer server = new CannedServer();

    @AfterEach
    void stop() {
        server.close();
    }

    private CliRun schedules(String... args) {
        return withStdin(null, args);
    }

    /** Runs {@code args} (a subcommand and its arguments); {@code stdin} non-null runs {@code put} reading it. */
    private CliRun withStdin(String stdin, String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--url";
        all[args.length + 1] = server.url();
        if (stdin == null) {
            return CliRun.run(new SchedulesCommand(), all);
        }
        SchedulesCommand.Put put = new SchedulesCommand.Put();
        put.stdin = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        return CliRun.run(put, java.util.Arrays.copyOfRange(all, 1, all.length));
    }

    @Test
    void putSendsTheDefinitionAndSaysWhenItRunsNext() {
        server.answer("PUT", "/api/v1/schedules/nightly", 201, NIGHTLY);

        CliRun run = schedules("put", "nightly", "--cron", "30 2 * * *", "--timezone", "Europe/Berlin", "--queue", "reports",
                "--payload", "{\"report\":\"daily\"}", "-H", "tenant=t-1", "--missed-runs", "runOnce");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("created schedule nightly; next run at 2026-03-29T01:30:00Z\n");
        assertThat(server.only("PUT", "/api/v1/schedules/nightly").json()).isEqualTo(json("""
                {"cron":"30 2 * * *","timezone":"Europe/Berlin","queue":"reports","payload":{"report":"daily"},
                 "headers":{"tenant":"t-1"},"missedRuns":"runOnce"}"""));
    }

    @Test
    void putOfAnExistingScheduleSaysItWasUpdatedAndPausedSaysSo() {
        server.answer("PUT", "/api/v1/schedules/nightly", 200, PAUSED);

        CliRun run = schedules("put", "nightly", "--cron", "30 2 * * *", "--queue", "reports", "--payload", "1", "--paused");

        assertThat(run.out()).isEqualTo("updated schedule nightly; paused\n");
        assertThat(server.only("PUT", "/api/v1/schedules/nightly").json().get("paused").asBoolean()).isTrue();
    }

    @Test
    void putWithoutPausedOptionLeavesThePausedStateToTheServer() {
        server.answer("PUT", "/api/v1/schedules/nightly", 200, NIGHTLY);

        schedules("put", "nightly", "--cron", "30 2 * * *", "--queue", "reports", "--payload", "1");

        assertThat(server.only("PUT", "/api/v1/schedules/nightly").json().has("paused")).isFalse();
    }

    @Test
    void putReadsThePayloadFromStdinAndRefusesInvalidJsonWithoutCallingTheServer() {
        server.answer("PUT", "/api/v1/schedules/nightly", 201, NIGHTLY);

        CliRun piped = withStdin("[1, 2]", "put", "nightly", "--cron", "* * * * *", "--queue", "reports", "--payload", "-");
        assertThat(piped.exitCode()).isEqualTo(0);
        assertThat(server.only("PUT", "/api/v1/schedules/nightly").json().get("payload")).isEqualTo(json("[1,2]"));

        CliRun broken = schedules("put", "other", "--cron", "* * * * *", "--queue", "reports", "--payload", "{oops");
        assertThat(broken.exitCode()).isEqualTo(1);
        assertThat(broken.err()).startsWith("postroom: payload is not valid JSON");
    }

    @Test
    void anInvalidCronExitsNonZeroNamingTheField() {
        server.problem("PUT", "/api/v1/schedules/nightly", 422,
                "{\"status\":422,\"errors\":[{\"field\":\"cron\",\"message\":\"\\\"61 * * * *\\\" is not a valid expression\"}]}");

        CliRun run = schedules("put", "nightly", "--cron", "61 * * * *", "--queue", "reports", "--payload", "1");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("postroom: 422 cron: \"61 * * * *\" is not a valid expression\n");
    }

    @Test
    void putWithoutCronIsAUsageError() {
        CliRun run = schedules("put", "nightly", "--queue", "reports", "--payload", "1");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required option: '--cron=EXPR'");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void listShowsNextAndLastRunsAndPausedOnes() {
        server.answer("GET", "/api/v1/schedules", 200, "{\"schedules\":[" + NIGHTLY + ","
                + PAUSED.replace("\"nightly\"", "\"weekly\"").replace("\"lastRunAt\":null", "\"lastRunAt\":\"2026-03-22T01:30:00Z\"")
                .replace("\"lastMessageId\":null", "\"lastMessageId\":\"019d0000-0000-7000-8000-000000000001\"") + "]}");

        CliRun run = schedules("list");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out().lines().toList()).hasSize(3);
        assertThat(run.out().lines().toList().get(0)).startsWith("NAME").contains("NEXT-RUN", "LAST-RUN", "LAST-MESSAGE");
        assertThat(run.out().lines().toList().get(1)).startsWith("nightly").contains("30 2 * * *", "Europe/Berlin", "2026-03-29T01:30:00Z", "never");
        assertThat(run.out().lines().toList().get(2)).startsWith("weekly").contains("paused", "2026-03-22T01:30:00Z",
                "019d0000-0000-7000-8000-000000000001");
    }

    @Test
    void listOfNoneSaysSo() {
        server.answer("GET", "/api/v1/schedules", 200, "{\"schedules\":[]}");

        assertThat(schedules("list").out()).isEqualTo("no schedules\n");
    }

    @Test
    void showPrintsEveryField() {
        server.answer("GET", "/api/v1/schedules/nightly", 200, NIGHTLY);

        CliRun run = schedules("show", "nightly");

        assertThat(run.out()).contains("cron         30 2 * * *\n", "timezone     Europe/Berlin\n", "payload      {\"report\":\"daily\"}\n",
                "next-run     2026-03-29T01:30:00Z\n", "last-run     never\n", "headers      -\n");
    }

    @Test
    void pauseResumeAndDeleteCallTheirRoutes() {
        server.answer("POST", "/api/v1/schedules/nightly/pause", 200, PAUSED);
        server.answer("POST", "/api/v1/schedules/nightly/resume", 200, NIGHTLY);
        server.answer("DELETE", "/api/v1/schedules/nightly", 204, null);

        assertThat(schedules("pause", "nightly").out()).isEqualTo("paused schedule nightly\n");
        assertThat(schedules("resume", "nightly").out()).isEqualTo("resumed schedule nightly; next run at 2026-03-29T01:30:00Z\n");
        assertThat(schedules("delete", "nightly").out()).isEqualTo("deleted schedule nightly\n");
        assertThat(server.requests()).extracting(CannedServer.Request::path).containsExactly(
                "/api/v1/schedules/nightly/pause", "/api/v1/schedules/nightly/resume", "/api/v1/schedules/nightly");
    }

    @Test
    void anUnknownScheduleExitsNonZeroWithOneLineReason() {
        server.problem("GET", "/api/v1/schedules/nope", 404, "{\"status\":404,\"detail\":\"schedule not found: nope\"}");

        CliRun run = schedules("show", "nope");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("postroom: 404 schedule not found: nope\n");
    }
}
