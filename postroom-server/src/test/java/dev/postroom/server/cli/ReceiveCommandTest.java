package dev.postroom.server.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.postroom.server.cli.SendCommandTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code postroom receive}: leasing, printing and, with {@code --ack}, acknowledging. */
class ReceiveCommandTest {
    private static final String BATCH_ACK = "/api/v1/messages:ack";
    private static final String RECEIVE = "/api/v1/queues/emails/receive";
    private static final String TWO_MESSAGES = """
            {"messages":[
              {"id":"m1","queue":"emails","payload":{"subject":"hi"},"headers":{},"attempt":1,"leaseId":"L1",
               "leaseExpiresAt":"2026-01-01T00:00:30Z","enqueuedAt":"2026-01-01T00:00:00Z"},
              {"id":"m22","queue":"emails","payload":"plain","headers":{},"attempt":12,"leaseId":"L22",
               "leaseExpiresAt":"2026-01-01T00:00:30Z","enqueuedAt":"2026-01-01T00:00:00Z"}]}""";

    private final CannedServer server = new CannedServer();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void receivedMessagesArePrintedAsATable() {
        server.answer("POST", RECEIVE, 200, TWO_MESSAGES);

        CliRun run = CliRun.run(new ReceiveCommand(), "emails", "--url", server.url(), "--max", "2", "--wait", "5", "--lease", "30");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("""
                ID   ATTEMPT  LEASE-ID  PAYLOAD
                m1         1  L1        {"subject":"hi"}
                m22       12  L22       "plain"
                """);
        assertThat(server.only("POST", RECEIVE).json()).isEqualTo(json("{\"max\":2,\"waitSeconds\":5,\"leaseSeconds\":30}"));
    }

    @Test
    void withoutAckNothingIsAcknowledged() {
        server.answer("POST", RECEIVE, 200, TWO_MESSAGES);

        CliRun.run(new ReceiveCommand(), "emails", "--url", server.url());

        assertThat(server.requests()).extracting(CannedServer.Request::path).containsExactly(RECEIVE);
    }

    @Test
    void ackAcknowledgesEveryMessageWithItsLeaseInOneCallAfterPrinting() {
        server.answer("POST", RECEIVE, 200, TWO_MESSAGES);
        server.answer("POST", BATCH_ACK, 200, "{\"results\":[{\"id\":\"m1\",\"status\":200,\"state\":\"SUCCEEDED\"},"
                + "{\"id\":\"m22\",\"status\":200,\"state\":\"SUCCEEDED\"}]}");

        CliRun run = CliRun.run(new ReceiveCommand(), "emails", "--url", server.url(), "--ack");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).contains("m1 ").contains("m22 ").endsWith("acked 2\n");
        assertThat(server.only("POST", BATCH_ACK).json())
                .isEqualTo(json("{\"acks\":[{\"id\":\"m1\",\"leaseId\":\"L1\"},{\"id\":\"m22\",\"leaseId\":\"L22\"}]}"));
    }

    @Test
    void staleLeaseOnAckExitsNonZeroNamingTheMessageAfterPrintingIt() {
        server.answer("POST", RECEIVE, 200, TWO_MESSAGES);
        server.answer("POST", BATCH_ACK, 200, "{\"results\":[{\"id\":\"m1\",\"status\":409,\"detail\":\"lease L1 expired\"},"
                + "{\"id\":\"m22\",\"status\":200,\"state\":\"SUCCEEDED\"}]}");

        CliRun run = CliRun.run(new ReceiveCommand(), "emails", "--url", server.url(), "--ack");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("postroom: ack m1: 409 lease L1 expired\n");
        assertThat(run.out()).contains("m1 ").contains("m22 ").doesNotContain("acked");
    }

    @Test
    void emptyAnswerSaysSoAndExitsZero() {
        server.answer("POST", RECEIVE, 200, "{\"messages\":[]}");

        CliRun run = CliRun.run(new ReceiveCommand(), "emails", "--url", server.url(), "--ack");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("no messages ready in emails\n");
    }

    @Test
    void jsonFlagPrintsTheServerAnswerAndStillAcks() {
        server.answer("POST", RECEIVE, 200, TWO_MESSAGES);
        server.answer("POST", BATCH_ACK, 200, "{\"results\":[{\"id\":\"m1\",\"status\":200},{\"id\":\"m22\",\"status\":200}]}");

        CliRun run = CliRun.run(new ReceiveCommand(), "emails", "--url", server.url(), "--json", "--ack");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(json(run.out())).isEqualTo(json(TWO_MESSAGES));
        assertThat(run.out().lines()).hasSize(1);
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void nonNumericMaxIsAUsageError() {
        CliRun run = CliRun.run(new ReceiveCommand(), "emails", "--url", server.url(), "--max", "lots");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(server.requests()).isEmpty();
    }
}
