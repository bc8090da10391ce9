package dev.postroom.server.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static dev.postroom.server.cli.SendCommandTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code postroom tail}: one line per live event, filtered by queue on the client. */
class TailCommandTest {
    private static final String EVENTS = """
            : hello

            event: message
            data: {"id":"m1","queue":"emails","state":"READY"}

            event: queue
            data: {"queue":"emails","counts":{"scheduled":0,"ready":3,"inFlight":1,"succeeded":40,"dead":2,"cancelled":0}}

            event: message
            data: {"id":"m2","queue":"billing","state":"DEAD"}

            event: node
            data: {"node":"n1","up":true}

            """;

    private final CannedServer server = new CannedServer();

    @AfterEach
    void stop() {
        server.close();
    }

    private static TailCommand atNoon() {
        TailCommand command = new TailCommand();
        command.clock = Clock.fixed(Instant.parse("2026-03-01T12:00:05Z"), ZoneOffset.UTC);
        return command;
    }

    @Test
    void eachEventIsPrintedOnOneLineUntilTheStreamEnds() {
        server.raw("GET", "/api/v1/events", 200, "text/event-stream", EVENTS);

        CliRun run = CliRun.run(atNoon(), "--url", server.url(), "--token", "t");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("""
                12:00:05  message  emails  m1  READY
                12:00:05  queue    emails  scheduled=0 ready=3 in-flight=1 succeeded=40 dead=2 cancelled=0
                12:00:05  message  billing  m2  DEAD
                12:00:05  node     {"node":"n1","up":true}
                """);
        assertThat(server.only("GET", "/api/v1/events").authorization()).isEqualTo("Bearer t");
    }

    @Test
    void queueOptionKeepsOnlyThatQueuesEvents() {
        server.raw("GET", "/api/v1/events", 200, "text/event-stream", EVENTS);

        CliRun run = CliRun.run(atNoon(), "--url", server.url(), "--queue", "billing");

        assertThat(run.out()).isEqualTo("12:00:05  message  billing  m2  DEAD\n");
    }

    @Test
    void jsonPrintsOneObjectPerEvent() {
        server.raw("GET", "/api/v1/events", 200, "text/event-stream", EVENTS);

        CliRun run = CliRun.run(atNoon(), "--url", server.url(), "--json", "-q", "emails");

        assertThat(run.out().lines().map(SendCommandTest::json)).containsExactly(
                json("{\"event\":\"message\",\"data\":{\"id\":\"m1\",\"queue\":\"emails\",\"state\":\"READY\"}}"),
                json("{\"event\":\"queue\",\"data\":{\"queue\":\"emails\",\"counts\":{\"scheduled\":0,\"ready\":3,"
                        + "\"inFlight\":1,\"succeeded\":40,\"dead\":2,\"cancelled\":0}}}"));
    }

    @Test
    void forbiddenEventStreamExitsNonZeroWithOneLineReason() {
        server.problem("GET", "/api/v1/events", 403, "{\"status\":403,\"detail\":\"token lacks scope read\"}");

        CliRun run = CliRun.run(atNoon(), "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("postroom: 403 token lacks scope read\n");
        assertThat(run.out()).isEmpty();
    }
}
