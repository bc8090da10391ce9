package dev.postroom.server.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code postroom workflows start|show|list|cancel|retry}. */
class WorkflowsCommandTest {
    private static final String WORKFLOW = """
            {"id":"w1","name":"close-account","state":"FAILED","createdAt":"2026-03-01T12:00:00Z","updatedAt":"2026-03-01T12:00:05Z",
             "endedAt":"2026-03-01T12:00:05Z","steps":[
              {"name":"revoke","queue":"sessions","messageId":"m1","state":"DEAD","after":[],"runOnFailure":false},
              {"name":"refund","queue":"refunds","messageId":"m2","state":"WAITING","after":["revoke"],"runOnFailure":false},
              {"name":"audit","queue":"audit","messageId":"m3","state":"READY","after":["refund"],"runOnFailure":true}]}""";

    private final CannedServer server = new CannedServer();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void startPostsTheFileAndPrintsEachStep() {
        server.answer("POST", "/api/v1/workflows", 201, """
                {"id":"w1","state":"RUNNING","duplicate":false,"steps":[
                 {"name":"revoke","queue":"sessions","messageId":"m1","state":"READY","after":[],"runOnFailure":false},
                 {"name":"refund","queue":"refunds","messageId":"m2","state":"WAITING","after":["revoke"],"runOnFailure":false}]}""");
        WorkflowsCommand.Start start = new WorkflowsCommand.Start();
        String body = "{\"name\":\"close-account\",\"steps\":[{\"name\":\"revoke\",\"queue\":\"sessions\"},"
                + "{\"name\":\"refund\",\"queue\":\"refunds\",\"after\":[\"revoke\"]}]}";
        start.stdin = new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8));

        CliRun run = CliRun.run(start, "-", "--url", server.url());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("""
                started workflow w1 (RUNNING)
                STEP    STATE    QUEUE     AFTER   MESSAGE
                revoke  READY    sessions  -       m1
                refund  WAITING  refunds   revoke  m2
                """);
        assertThat(server.only("POST", "/api/v1/workflows").json().toString()).isEqualTo(body);
    }

    @Test
    void aFileThatIsNotJsonIsRefusedWithItsLineAndColumnAndNothingIsSent() {
        WorkflowsCommand.Start start = new WorkflowsCommand.Start();
        start.stdin = new ByteArrayInputStream("{\"steps\": [\n  {\"name\": oops}]}".getBytes(StandardCharsets.UTF_8));

        CliRun run = CliRun.run(start, "-", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("postroom: stdin is not valid JSON (line 2, column");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void showPrintsTheStateAndTheSteps() {
        server.answer("GET", "/api/v1/workflows/w1", 200, WORKFLOW);

        CliRun run = CliRun.run(new WorkflowsCommand(), "show", "w1", "--url", server.url());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("""
                id       w1
                name     close-account
                state    FAILED
                created  2026-03-01T12:00:00Z
                ended    2026-03-01T12:00:05Z
                STEP    STATE    QUEUE     AFTER                     MESSAGE
                revoke  DEAD     sessions  -                         m1
                refund  WAITING  refunds   revoke                    m2
                audit   READY    audit     refund (even on failure)  m3
                """);
    }

    @Test
    void listFiltersByStateAndName() {
        server.answer("GET", "/api/v1/workflows", 200,
                "{\"workflows\":[" + WORKFLOW + "],\"next\":null}");

        CliRun run = CliRun.run(new WorkflowsCommand(), "list", "--state", "FAILED", "--name", "close-account", "--url", server.url());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("""
                ID  NAME           STATE   CREATED               STEPS  DONE  ENDED
                w1  close-account  FAILED  2026-03-01T12:00:00Z      3     0  2026-03-01T12:00:05Z
                """);
        assertThat(server.only("GET", "/api/v1/workflows").query()).isEqualTo("limit=20&state=FAILED&name=close-account");
    }

    @Test
    void cancelAndRetryPostAndPrintTheWorkflow() {
        server.answer("POST", "/api/v1/workflows/w1/retry", 200, WORKFLOW);
        server.answer("POST", "/api/v1/workflows/w1/cancel", 200, WORKFLOW.replace("\"FAILED\"", "\"CANCELLED\""));

        CliRun retried = CliRun.run(new WorkflowsCommand(), "retry", "w1", "--url", server.url());
        CliRun cancelled = CliRun.run(new WorkflowsCommand(), "cancel", "w1", "--url", server.url());

        assertThat(retried.exitCode()).as(retried.err()).isEqualTo(0);
        assertThat(cancelled.exitCode()).as(cancelled.err()).isEqualTo(0);
        assertThat(cancelled.out()).contains("state    CANCELLED");
        assertThat(server.requests()).extracting(r -> r.method() + " " + r.path())
                .containsExactly("POST /api/v1/workflows/w1/retry", "POST /api/v1/workflows/w1/cancel");
    }
}
