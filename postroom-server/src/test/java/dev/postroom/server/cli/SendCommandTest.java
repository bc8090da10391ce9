package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code postroom send}: what it sends, what it prints, and how it fails. */
class SendCommandTest {
    private static final String MESSAGES = "/api/v1/queues/emails/messages";

    private final CannedServer server = new CannedServer();

    @AfterEach
    void stop() {
        server.close();
    }

    private CliRun send(SendCommand command, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--url";
        all[1] = server.url();
        System.arraycopy(args, 0, all, 2, args.length);
        return CliRun.run(command, all);
    }

    static JsonNode json(String text) {
        try {
            return ApiClient.JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void sendWithADebounceKeySaysWhichMessageItWentInto() {
        server.answer("POST", "/api/v1/queues/reindex/messages", 200, "{\"id\":\"01JPENDING\",\"state\":\"SCHEDULED\",\"duplicate\":false,\"debounced\":true}");

        CliRun run = send(new SendCommand(), "reindex", "{\"edit\":2}", "--debounce-key", "catalogue", "--debounce", "60",
                "--debounce-max-wait", "600", "--unique-key", "ignored-by-the-canned-server");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("debounced into 01JPENDING in reindex (SCHEDULED)\n");
        assertThat(server.only("POST", "/api/v1/queues/reindex/messages").json()).isEqualTo(json("""
                {"payload":{"edit":2},"uniqueKey":"ignored-by-the-canned-server","debounceKey":"catalogue","debounceSeconds":60,
                 "debounceMaxWaitSeconds":600}"""));
    }

    @Test
    void aDebounceWindowWithoutItsKeyIsRefusedBeforeSending() {
        CliRun run = send(new SendCommand(), "reindex", "1", "--debounce", "60");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("--debounce-key and --debounce go together");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void sendPostsPayloadWithEveryOptionAndPrintsTheId() {
        server.answer("POST", MESSAGES, 201, "{\"id\":\"01JMSG\",\"state\":\"SCHEDULED\",\"duplicate\":false}");

        CliRun run = send(new SendCommand(), "emails", "{\"subject\":\"hi\"}", "--priority", "7", "--delay", "30",
                "--ordering-key", "customer-1", "--idempotency-key", "order-9", "-H", "tenant=acme", "--header", "lang=en",
                "--ttl", "3600", "--token", "tok");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("sent 01JMSG to emails (SCHEDULED)\n");
        assertThat(run.err()).isEmpty();
        CannedServer.Request request = server.only("POST", MESSAGES);
        assertThat(request.json()).isEqualTo(json("""
                {"payload":{"subject":"hi"},"headers":{"tenant":"acme","lang":"en"},"delaySeconds":30,"priority":7,
                 "orderingKey":"customer-1","idempotencyKey":"order-9","ttlSeconds":3600}"""));
        assertThat(request.authorization()).isEqualTo("Bearer tok");
    }

    @Test
    void optionsLeftOutAreNotSent() {
        server.answer("POST", MESSAGES, 201, "{\"id\":\"01JMSG\",\"state\":\"READY\",\"duplicate\":false}");

        send(new SendCommand(), "emails", "\"plain text\"");

        JsonNode body = server.only("POST", MESSAGES).json();
        assertThat(body.properties()).extracting(java.util.Map.Entry::getKey).containsExactly("payload");
        assertThat(body.get("payload").asText()).isEqualTo("plain text");
    }

    @Test
    void dashReadsThePayloadFromStdin() {
        server.answer("POST", MESSAGES, 201, "{\"id\":\"01JMSG\",\"state\":\"READY\",\"duplicate\":false}");
        SendCommand command = new SendCommand();
        command.stdin = new ByteArrayInputStream("{\"rows\": [1, 2]}\n".getBytes(StandardCharsets.UTF_8));

        CliRun run = send(command, "emails", "-");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(server.only("POST", MESSAGES).json().get("payload").toString()).isEqualTo("{\"rows\":[1,2]}");
    }

    @Test
    void idempotencyRepeatIsReportedAsDuplicate() {
        server.answer("POST", MESSAGES, 200, "{\"id\":\"01JFIRST\",\"state\":\"SUCCEEDED\",\"duplicate\":true}");

        CliRun run = send(new SendCommand(), "emails", "{}", "--idempotency-key", "order-9");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("duplicate: already sent as 01JFIRST to emails (SUCCEEDED)\n");
    }

    @Test
    void jsonFlagPrintsTheServerAnswerOnOneLine() {
        server.answer("POST", MESSAGES, 201, "{\n  \"id\": \"01JMSG\",\n  \"state\": \"READY\",\n  \"duplicate\": false\n}");

        CliRun run = send(new SendCommand(), "emails", "{}", "--json");

        assertThat(run.out()).isEqualTo("{\"id\":\"01JMSG\",\"state\":\"READY\",\"duplicate\":false}\n");
    }

    @Test
    void waitPrintsTheHandlersResultOnceTheMessageSucceeds() {
        server.answer("POST", MESSAGES, 201, "{\"id\":\"01JMSG\",\"state\":\"READY\",\"duplicate\":false}");
        server.answer("GET", "/api/v1/messages/01JMSG", 200, "{\"id\":\"01JMSG\",\"state\":\"SUCCEEDED\",\"result\":{\"rows\":42}}");

        CliRun run = send(new SendCommand(), "emails", "{}", "--wait", "20");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("{\"rows\":42}\n");
        assertThat(server.only("GET", "/api/v1/messages/01JMSG").query()).isEqualTo("waitSeconds=20");
    }

    @Test
    void waitFailsWithTheLastErrorWhenTheMessageDies() {
        server.answer("POST", MESSAGES, 201, "{\"id\":\"01JMSG\",\"state\":\"READY\",\"duplicate\":false}");
        server.answer("GET", "/api/v1/messages/01JMSG", 200,
                "{\"id\":\"01JMSG\",\"state\":\"DEAD\",\"errors\":[{\"message\":\"first\"},{\"message\":\"smtp refused\"}]}");

        CliRun run = send(new SendCommand(), "emails", "{}", "--wait", "5");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("postroom: message 01JMSG ended DEAD: smtp refused\n");
    }

    @Test
    void waitFailsWhenTheMessageIsNotFinishedInTime() {
        server.answer("POST", MESSAGES, 201, "{\"id\":\"01JMSG\",\"state\":\"READY\",\"duplicate\":false}");
        server.answer("GET", "/api/v1/messages/01JMSG", 200, "{\"id\":\"01JMSG\",\"state\":\"IN_FLIGHT\"}");

        CliRun run = send(new SendCommand(), "emails", "{}", "--wait", "1");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("postroom: message 01JMSG is still IN_FLIGHT after 1 s");
    }

    @Test
    void unknownQueueExitsNonZeroWithOneLineReason() {
        server.problem("POST", MESSAGES, 404, "{\"status\":404,\"title\":\"Not Found\",\"detail\":\"queue not found: emails\"}");

        CliRun run = send(new SendCommand(), "emails", "{}");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("postroom: 404 queue not found: emails\n");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void serverValidationErrorNamesTheField() {
        server.problem("POST", MESSAGES, 422, "{\"status\":422,\"errors\":[{\"field\":\"priority\",\"message\":\"must be 0–9\"}]}");

        CliRun run = send(new SendCommand(), "emails", "{}", "--priority", "12");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("postroom: 422 priority: must be 0–9\n");
    }

    @Test
    void payloadThatIsNotJsonIsRejectedBeforeAnyRequest() {
        CliRun run = send(new SendCommand(), "emails", "{subject: hi}");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("postroom: payload is not valid JSON: ").contains("line 1, column 2").doesNotContain("\n\n");
        assertThat(run.err().lines()).hasSize(1);
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void trailingGarbageAfterThePayloadIsRejected() {
        CliRun run = send(new SendCommand(), "emails", "{\"a\":1}}");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("postroom: payload is not valid JSON: ");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void emptyStdinIsRejected() {
        SendCommand command = new SendCommand();
        command.stdin = new ByteArrayInputStream(new byte[0]);

        CliRun run = send(command, "emails", "-");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("postroom: payload is empty");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void missingPayloadIsAUsageError() {
        CliRun run = send(new SendCommand(), "emails");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required parameter: 'PAYLOAD_JSON'");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void headerWithoutEqualsIsAUsageError() {
        CliRun run = send(new SendCommand(), "emails", "{}", "--header", "tenant");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void unreachableServerExitsNonZeroNamingTheUrl() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }

        CliRun run = CliRun.run(new SendCommand(), "--url", "http://127.0.0.1:" + closedPort, "emails", "{}");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("postroom: cannot reach http://127.0.0.1:" + closedPort + ": connection refused\n");
    }
}
