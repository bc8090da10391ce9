package dev.postroom.server.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code postroom messages get|retry|cancel}. */
class MessagesCommandTest {
    private static final String DEAD_MESSAGE = """
            {"id":"m1","queue":"billing.refund","state":"DEAD","payload":{"order":"order-113"},"headers":{"tenant":"acme"},
             "attempt":3,"maxAttempts":3,"result":null,"progress":{"percent":40,"note":"charging"},
             "errors":[{"attempt":1,"message":"payment provider timed out"},{"attempt":3,"message":"card\\nexpired"}],
             "timeline":[{"at":"2026-03-01T12:00:00Z","state":"READY","node":"n1","attempt":0,"reason":"sent"},
                         {"at":"2026-03-01T12:00:09Z","state":"DEAD","node":"n1","attempt":3,"reason":"attempts exhausted"}]}""";

    private final CannedServer server = new CannedServer();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void getPrintsTheFieldsErrorsAndTimeline() {
        server.answer("GET", "/api/v1/messages/m1", 200, DEAD_MESSAGE);

        CliRun run = CliRun.run(new MessagesCommand(), "get", "m1", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("""
                id        m1
                queue     billing.refund
                state     DEAD
                attempt   3 of 3
                progress  40% charging
                payload   {"order":"order-113"}
                headers   tenant=acme

                errors
                  attempt 1: payment provider timed out
                  attempt 3: card expired

                AT                    STATE  NODE  ATTEMPT  REASON
                2026-03-01T12:00:00Z  READY  n1          0  sent
                2026-03-01T12:00:09Z  DEAD   n1          3  attempts exhausted
                """);
    }

    @Test
    void controlCharactersFromTheMessageArePrintedAsEscapesNotSentToTheTerminal() {
        server.answer("GET", "/api/v1/messages/m1", 200, "{\"id\":\"m1\",\"queue\":\"q\",\"state\":\"DEAD\","
                + "\"headers\":{\"tenant\":\"\\u001b]0;pwned\\u0007\\u001b[2J\"},"
                + "\"progress\":{\"percent\":5,\"note\":\"ok\\r\\u202eevil\"},"
                + "\"errors\":[{\"attempt\":1,\"message\":\"\\u001b[31mred\"}]}");

        CliRun run = CliRun.run(new MessagesCommand(), "get", "m1", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).doesNotContain("\u001b", "\u0007", "\r", "\u202e")
                .contains("tenant=\\u001b]0;pwned\\u0007\\u001b[2J")
                .contains("ok\\u000d\\u202eevil")
                .contains("\\u001b[31mred");
    }

    @Test
    void getWithWaitAsksTheServerToWaitAndWaitsLongerItself() {
        server.answer("GET", "/api/v1/messages/m1", 200, "{\"id\":\"m1\",\"state\":\"SUCCEEDED\",\"result\":\"ok\"}");

        CliRun run = CliRun.run(new MessagesCommand(), "get", "m1", "--wait", "20", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(server.only("GET", "/api/v1/messages/m1").query()).isEqualTo("waitSeconds=20");
        assertThat(run.out()).contains("result    \"ok\"\n");
        assertThat(ApiClient.timeoutFor(new java.math.BigDecimal("20"))).isEqualTo(java.time.Duration.ofSeconds(50));
    }

    @Test
    void unknownMessageExitsNonZeroWithOneLineReason() {
        server.problem("GET", "/api/v1/messages/nope", 404, "{\"status\":404,\"detail\":\"message not found: nope\"}");

        CliRun run = CliRun.run(new MessagesCommand(), "get", "nope", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("postroom: 404 message not found: nope\n");
    }

    @Test
    void snoozeSendsTheLeaseAndSecondsAndReportsTheCount() {
        server.answer("POST", "/api/v1/messages/m1/snooze", 200, "{\"id\":\"m1\",\"state\":\"SCHEDULED\",\"snoozes\":2,\"attempt\":0}");

        CliRun run = CliRun.run(new MessagesCommand(), "snooze", "m1", "--lease", "l-9", "--seconds", "300", "--url", server.url());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("snoozed m1 (now SCHEDULED, snoozed 2 times, attempt 0)\n");
        assertThat(server.only("POST", "/api/v1/messages/m1/snooze").json().toString()).isEqualTo("{\"leaseId\":\"l-9\",\"seconds\":300}");
    }

    @Test
    void retryReportsTheNewState() {
        server.answer("POST", "/api/v1/messages/m1/retry", 200, "{\"id\":\"m1\",\"state\":\"READY\"}");

        CliRun run = CliRun.run(new MessagesCommand(), "retry", "m1", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("retried m1 (now READY)\n");
    }

    @Test
    void retryInAStateThatForbidsItExitsNonZeroWithTheServersReason() {
        server.problem("POST", "/api/v1/messages/m1/retry", 409,
                "{\"status\":409,\"title\":\"Conflict\",\"detail\":\"cannot retry a message in state SUCCEEDED\"}");

        CliRun run = CliRun.run(new MessagesCommand(), "retry", "m1", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("postroom: 409 cannot retry a message in state SUCCEEDED\n");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void cancelReportsTheNewState() {
        server.answer("POST", "/api/v1/messages/m1/cancel", 200, "{\"id\":\"m1\",\"state\":\"CANCELLED\"}");

        CliRun run = CliRun.run(new MessagesCommand(), "cancel", "m1", "--url", server.url());

        assertThat(run.out()).isEqualTo("cancelled m1 (now CANCELLED)\n");
    }
}
