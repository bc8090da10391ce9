package dev.postroom.server.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How {@link ApiClient} turns the server's answers, and the lack of one, into a one-line reason. */
class ApiClientTest {
    private final CannedServer server = new CannedServer();

    @AfterEach
    void stop() {
        server.close();
    }

    private ApiClient client(String token) {
        return new ApiClient(URI.create(server.url()), token);
    }

    @Test
    void validationProblemBecomesOneLineNamingTheField() {
        server.problem("POST", "/api/v1/queues/emails/messages", 422, """
                {"type":"about:blank","title":"Invalid request","status":422,"detail":"request is invalid",
                 "errors":[{"field":"priority","message":"must be 0–9"}]}""");

        try (ApiClient client = client("t")) {
            assertThatThrownBy(() -> client.post("/api/v1/queues/emails/messages", ApiClient.JSON.createObjectNode()))
                    .isInstanceOf(CliException.class).hasMessage("422 priority: must be 0–9");
        }
    }

    @Test
    void severalFieldErrorsAreJoinedOnOneLine() {
        server.problem("PUT", "/api/v1/queues/q", 422, """
                {"status":422,"title":"Invalid","errors":[{"field":"maxAttempts","message":"must be 1–1000"},
                 {"field":"leaseSeconds","message":"must be positive"}]}""");

        try (ApiClient client = client("t")) {
            assertThatThrownBy(() -> client.put("/api/v1/queues/q", ApiClient.JSON.createObjectNode()))
                    .hasMessage("422 maxAttempts: must be 1–1000; leaseSeconds: must be positive");
        }
    }

    @Test
    void problemDetailIsTheReason() {
        server.problem("GET", "/api/v1/queues/emails", 404,
                "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"queue not found: emails\"}");

        try (ApiClient client = client("t")) {
            assertThatThrownBy(() -> client.get("/api/v1/queues/emails")).hasMessage("404 queue not found: emails");
        }
    }

    @Test
    void problemWithoutDetailFallsBackToTitle() {
        server.problem("POST", "/api/v1/messages/m1/retry", 409, "{\"title\":\"Not allowed in state SUCCEEDED\",\"status\":409}");

        try (ApiClient client = client("t")) {
            assertThatThrownBy(() -> client.post("/api/v1/messages/m1/retry", ApiClient.JSON.createObjectNode()))
                    .hasMessage("409 Not allowed in state SUCCEEDED");
        }
    }

    @Test
    void multiLineDetailIsFlattenedToOneLine() {
        server.problem("GET", "/api/v1/queues", 500, "{\"status\":500,\"detail\":\"store unavailable:\\n  disk full\\n\"}");

        try (ApiClient client = client("t")) {
            assertThatThrownBy(() -> client.get("/api/v1/queues")).hasMessage("500 store unavailable: disk full");
        }
    }

    @Test
    void errorBodyThatIsNotJsonFallsBackToTheStatus() {
        server.raw("GET", "/api/v1/queues", 502, "text/html", "<html><body><h1>Bad Gateway</h1>\n</body></html>");

        try (ApiClient client = client("t")) {
            assertThatThrownBy(() -> client.get("/api/v1/queues")).hasMessage("502 bad gateway");
        }
    }

    @Test
    void successfulAnswerThatIsNotJsonIsReportedAsWrongServer() {
        server.raw("GET", "/api/v1/queues", 200, "text/html", "<html>welcome to nginx</html>");

        try (ApiClient client = client("t")) {
            assertThatThrownBy(() -> client.get("/api/v1/queues"))
                    .hasMessage("200 answer from " + server.url() + " is not JSON; is --url a Postroom server?");
        }
    }

    @Test
    void unauthorizedWithoutTokenSaysHowToPassOne() {
        server.problem("GET", "/api/v1/queues", 401, "{\"status\":401,\"title\":\"Unauthorized\",\"detail\":\"missing bearer token\"}");

        try (ApiClient client = client(null)) {
            assertThatThrownBy(() -> client.get("/api/v1/queues"))
                    .hasMessage("401 missing bearer token (no token given: pass --token or set POSTROOM_TOKEN)");
        }
    }

    @Test
    void unauthorizedWithTokenDoesNotBlameAMissingToken() {
        server.problem("GET", "/api/v1/queues", 401, "{\"status\":401,\"detail\":\"unknown token\"}");

        try (ApiClient client = client("revoked")) {
            assertThatThrownBy(() -> client.get("/api/v1/queues")).hasMessage("401 unknown token");
        }
    }

    @Test
    void tokenIsSentAsBearerOnEveryRequest() {
        server.answer("GET", "/api/v1/queues", 200, "{\"queues\":[]}");
        server.answer("DELETE", "/api/v1/tokens/t1", 204, null);

        try (ApiClient client = client("secret-1")) {
            client.get("/api/v1/queues");
            client.delete("/api/v1/tokens/t1");
        }

        assertThat(server.requests()).extracting(CannedServer.Request::authorization)
                .containsExactly("Bearer secret-1", "Bearer secret-1");
    }

    @Test
    void noContentAnswerHasAMissingBody() {
        server.answer("DELETE", "/api/v1/tokens/t1", 204, null);

        try (ApiClient client = client("t")) {
            ApiClient.Response response = client.delete("/api/v1/tokens/t1");

            assertThat(response.status()).isEqualTo(204);
            assertThat(response.body().isMissingNode()).isTrue();
        }
    }

    @Test
    void connectionRefusedNamesTheUrl() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }

        try (ApiClient client = new ApiClient(URI.create("http://127.0.0.1:" + closedPort + "/"), "t")) {
            assertThatThrownBy(() -> client.get("/api/v1/queues"))
                    .hasMessage("cannot reach http://127.0.0.1:" + closedPort + ": connection refused");
        }
    }

    @Test
    void eventStreamDeliversEachEventUntilTheServerEndsIt() {
        server.raw("GET", "/api/v1/events", 200, "text/event-stream", """
                : connected

                event: message
                data: {"id":"m1","queue":"emails","state":"READY"}

                event: queue
                data: {"queue":"emails",
                data: "counts":{"ready":1}}

                """);
        List<ServerSentEvent> events = new ArrayList<>();

        try (ApiClient client = client("t")) {
            client.events("/api/v1/events", events::add);
        }

        assertThat(events).containsExactly(
                new ServerSentEvent("message", "{\"id\":\"m1\",\"queue\":\"emails\",\"state\":\"READY\"}"),
                new ServerSentEvent("queue", "{\"queue\":\"emails\",\n\"counts\":{\"ready\":1}}"));
        assertThat(server.only("GET", "/api/v1/events").accept()).isEqualTo("text/event-stream");
    }

    @Test
    void eventStreamRefusalIsMappedLikeAnyError() {
        server.problem("GET", "/api/v1/events", 403, "{\"status\":403,\"detail\":\"token lacks scope read\"}");

        try (ApiClient client = client("t")) {
            assertThatThrownBy(() -> client.events("/api/v1/events", e -> { }))
                    .hasMessage("403 token lacks scope read");
        }
    }

    @Test
    void namesAreEncodedAsOnePathSegment() {
        assertThat(ApiClient.segment("ann smith/ops")).isEqualTo("ann%20smith%2Fops");
        assertThat(ApiClient.segment("emails.announce")).isEqualTo("emails.announce");
    }
}
