package dev.postroom.server.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.postroom.server.cli.SendCommandTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code postroom stats}: the queue table. */
class StatsCommandTest {
    private static final String QUEUES = """
            {"queues":[
              {"name":"emails.announce","paused":false,"policy":{},
               "counts":{"scheduled":0,"ready":3,"inFlight":1,"succeeded":40,"dead":2,"cancelled":0}},
              {"name":"billing.refund","paused":true,"policy":{},
               "counts":{"scheduled":5,"ready":0,"inFlight":0,"succeeded":7,"dead":12,"cancelled":1}}]}""";

    private final CannedServer server = new CannedServer();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void statsPrintsOneRowPerQueueWithItsCounts() {
        server.answer("GET", "/api/v1/queues", 200, QUEUES);

        CliRun run = CliRun.run(new StatsCommand(), "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("""
                QUEUE            PAUSED  SCHEDULED  READY  IN-FLIGHT  SUCCEEDED  DEAD  CANCELLED
                emails.announce  no              0      3          1         40     2          0
                billing.refund   yes             5      0          0          7    12          1
                """);
    }

    @Test
    void countMissingFromTheAnswerIsShownAsDash() {
        server.answer("GET", "/api/v1/queues", 200, "{\"queues\":[{\"name\":\"q\",\"paused\":false,\"counts\":{\"ready\":1}}]}");

        CliRun run = CliRun.run(new StatsCommand(), "--url", server.url());

        assertThat(run.out().lines().skip(1)).containsExactly("q      no              -      1          -          -     -          -");
    }

    @Test
    void noQueuesSaysSo() {
        server.answer("GET", "/api/v1/queues", 200, "{\"queues\":[]}");

        CliRun run = CliRun.run(new StatsCommand(), "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("no queues\n");
    }

    @Test
    void jsonPrintsTheServerAnswerUnchanged() {
        server.answer("GET", "/api/v1/queues", 200, QUEUES);

        CliRun run = CliRun.run(new StatsCommand(), "--url", server.url(), "--json");

        assertThat(json(run.out())).isEqualTo(json(QUEUES));
    }

    @Test
    void missingReadScopeExitsNonZeroWithOneLineReason() {
        server.problem("GET", "/api/v1/queues", 403, "{\"status\":403,\"title\":\"Forbidden\",\"detail\":\"token lacks scope read\"}");

        CliRun run = CliRun.run(new StatsCommand(), "--url", server.url(), "--token", "send-only");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("postroom: 403 token lacks scope read\n");
    }
}
