package dev.postroom.server.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code postroom audit}. */
class AuditCommandTest {
    private static final String PAGE = """
            {"entries":[
              {"id":7,"at":"2026-03-01T12:05:00Z","actor":"token:ci-bot/Ab12Cd34","action":"queue.purge","targetType":"queue",
               "target":"refunds","detail":{"purged":12,"states":["DEAD"]},"address":"203.0.113.7"},
              {"id":6,"at":"2026-03-01T12:00:00Z","actor":"user:alice","action":"user.login","targetType":null,
               "target":null,"detail":{},"address":null}],
             "next":null}""";

    private final CannedServer server = new CannedServer();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void printsEntriesAsATableNewestFirst() {
        server.answer("GET", "/api/v1/audit", 200, PAGE);

        CliRun run = CliRun.run(new AuditCommand(), "--url", server.url(), "--token", "t");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("""
                AT                    ACTOR                  ACTION       TARGET         ADDRESS      DETAIL
                2026-03-01T12:05:00Z  token:ci-bot/Ab12Cd34  queue.purge  queue:refunds  203.0.113.7  {"purged":12,"states":["DEAD"]}
                2026-03-01T12:00:00Z  user:alice             user.login   -              -            -
                """);
        assertThat(run.err()).isEmpty();
        assertThat(server.only("GET", "/api/v1/audit").query()).isEqualTo("limit=50");
    }

    @Test
    void filtersGoToTheServerEncoded() {
        server.answer("GET", "/api/v1/audit", 200, "{\"entries\":[],\"next\":null}");

        CliRun run = CliRun.run(new AuditCommand(), "--actor", "token:ci bot/Ab12", "--action", "queue.pause", "--target", "emails",
                "--since", "2026-03-01T00:00:00+01:00", "--until", "2026-03-02T00:00:00Z", "--limit", "10", "--after", "42",
                "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("no entries\n");
        assertThat(server.only("GET", "/api/v1/audit").query()).isEqualTo("actor=token%3Aci%20bot%2FAb12&action=queue.pause"
                + "&target=emails&since=2026-03-01T00%3A00%3A00%2B01%3A00&until=2026-03-02T00%3A00%3A00Z&after=42&limit=10");
    }

    @Test
    void anAgeCountsBackFromNow() {
        server.answer("GET", "/api/v1/audit", 200, "{\"entries\":[],\"next\":null}");
        AuditCommand command = new AuditCommand();
        command.clock = () -> Instant.parse("2026-03-08T12:00:30.5Z");

        CliRun.run(command, "--since", "7d", "--until", "90m", "--url", server.url());

        assertThat(server.only("GET", "/api/v1/audit").query())
                .isEqualTo("since=2026-03-01T12%3A00%3A30Z&until=2026-03-08T10%3A30%3A30Z&limit=50");
    }

    @Test
    void whenThereIsMoreTheCursorIsNamedOnStderr() {
        server.answer("GET", "/api/v1/audit", 200, PAGE.replace("\"next\":null", "\"next\":\"6\""));

        CliRun run = CliRun.run(new AuditCommand(), "--limit", "2", "--url", server.url());

        assertThat(run.err()).isEqualTo("more entries: repeat with --after 6\n");
        assertThat(run.out()).doesNotContain("--after");
    }

    @Test
    void jsonPrintsTheServersAnswerOnOneLine() {
        server.answer("GET", "/api/v1/audit", 200, PAGE);

        CliRun run = CliRun.run(new AuditCommand(), "--json", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).startsWith("{\"entries\":[{\"id\":7,").endsWith("\"next\":null}\n").hasLineCount(1);
    }

    @Test
    void aBadTimeExitsNonZeroWithTheServersReason() {
        server.problem("GET", "/api/v1/audit", 400, """
                {"status":400,"errors":[{"field":"since","message":"must be an RFC 3339 time, e.g. 2026-11-25T10:00:00Z"}]}""");

        CliRun run = CliRun.run(new AuditCommand(), "--since", "yesterday", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("postroom: 400 since: must be an RFC 3339 time, e.g. 2026-11-25T10:00:00Z\n");
        assertThat(server.only("GET", "/api/v1/audit").query()).isEqualTo("since=yesterday&limit=50");
    }
}
