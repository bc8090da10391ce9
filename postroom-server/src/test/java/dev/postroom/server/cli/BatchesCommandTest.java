package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code postroom batches send|show|list}. */
class BatchesCommandTest {
    private static final String BATCH = """
            {"id":"b1","queue":"refunds","createdAt":"2026-03-01T12:00:00Z","total":4,"pending":1,"succeeded":1,"failed":1,
             "cancelled":0,"deleted":1,"complete":false,"completedAt":null,"completionQueue":"reports","completionMessageId":null}""";

    private final CannedServer server = new CannedServer();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void sendPostsEveryLineAsOneBatchWithItsCompletionMessage() {
        server.answer("POST", "/api/v1/queues/refunds/messages:batch", 201,
                "{\"results\":[{\"id\":\"m1\",\"state\":\"READY\",\"duplicate\":false},{\"id\":\"m2\",\"state\":\"READY\",\"duplicate\":false}],\"batchId\":\"b1\"}");
        BatchesCommand.Send send = new BatchesCommand.Send();
        send.stdin = new ByteArrayInputStream("{\"order\":1}\n\n\"two\"\n".getBytes(StandardCharsets.UTF_8));

        CliRun run = CliRun.run(send, "refunds", "-", "--on-complete", "reports", "--on-complete-payload", "{\"report\":\"r\"}",
                "--on-complete-header", "tenant=acme", "--url", server.url());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("sent batch b1: 2 messages to refunds; completion message to reports\n");
        JsonNode body = server.only("POST", "/api/v1/queues/refunds/messages:batch").json();
        assertThat(body.get("messages").toString()).isEqualTo("[{\"payload\":{\"order\":1}},{\"payload\":\"two\"}]");
        assertThat(body.get("batch").toString())
                .isEqualTo("{\"onComplete\":{\"queue\":\"reports\",\"payload\":{\"report\":\"r\"},\"headers\":{\"tenant\":\"acme\"}}}");
    }

    @Test
    void sendWithoutACompletionMessageStillSendsABatch() {
        server.answer("POST", "/api/v1/queues/refunds/messages:batch", 201, "{\"results\":[{\"id\":\"m1\"}],\"batchId\":\"b2\"}");
        BatchesCommand.Send send = new BatchesCommand.Send();
        send.stdin = new ByteArrayInputStream("1\n".getBytes(StandardCharsets.UTF_8));

        CliRun run = CliRun.run(send, "refunds", "-", "--url", server.url());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("sent batch b2: 1 messages to refunds\n");
        assertThat(server.only("POST", "/api/v1/queues/refunds/messages:batch").json().get("batch").toString()).isEqualTo("{}");
    }

    @Test
    void aLineThatIsNotJsonIsNamedAndNothingIsSent() {
        BatchesCommand.Send send = new BatchesCommand.Send();
        send.stdin = new ByteArrayInputStream("1\n{oops\n".getBytes(StandardCharsets.UTF_8));

        CliRun run = CliRun.run(send, "refunds", "-", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("postroom: line 2 is not valid JSON");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void showPrintsTheCountsAndTheCompletion() {
        server.answer("GET", "/api/v1/batches/b1", 200, BATCH);

        CliRun run = CliRun.run(new BatchesCommand(), "show", "b1", "--url", server.url());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("""
                id          b1
                queue       refunds
                created     2026-03-01T12:00:00Z
                members     4
                pending     1
                succeeded   1
                failed      1
                cancelled   0
                deleted     1
                completed   no
                on complete reports
                """);
    }

    @Test
    void listPrintsOneRowPerBatch() {
        server.answer("GET", "/api/v1/batches", 200, "{\"batches\":[" + BATCH + "],\"next\":null}");

        CliRun run = CliRun.run(new BatchesCommand(), "list", "--limit", "5", "--url", server.url());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
        assertThat(server.only("GET", "/api/v1/batches").query()).isEqualTo("limit=5");
        assertThat(run.out()).contains("ID  QUEUE    CREATED").contains("b1  refunds  2026-03-01T12:00:00Z");
    }
}
