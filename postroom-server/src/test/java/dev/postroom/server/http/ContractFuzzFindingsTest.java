package dev.postroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postroom.server.http.TestServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import static dev.postroom.server.http.TestServer.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the contract fuzzer ({@code dev.postroom.server.fuzz.ContractFuzzTest}) found, one test per
 * finding, so that each stays fixed whatever seed the fuzzer draws.
 *
 * <p>A PUT or DELETE whose path was not UTF-8 got a 400 with an empty body, because Jetty writes
 * error bodies only for GET, POST and HEAD. After a request refused before routing (an encoded NUL
 * in the path) Jetty closed the connection without saying so, and a client that keeps connections
 * sent its next request on the closed one. {@code application/json-patch+json} was read as JSON,
 * the media type being matched by prefix. And {@code waitSeconds} on reading a message was checked
 * only when the message was not final yet, with {@code Double.parseDouble}, which takes "NaN" and "5d".
 * An empty or blank string where a number, a boolean or an object belongs was read as left out, and
 * a redrive filter's {@code since} and {@code until} took a number as epoch seconds.
 */
class ContractFuzzFindingsTest {
    @RegisterExtension
    static final TestServer server = new TestServer();

    @Test
    void aTimeGivenAsAStringOfDigitsIsNotReadAsEpochTime() {
        String queue = TestServer.uniqueQueue("epoch");
        server.createQueue(queue);
        for (String time : new String[] {"-0", "1700000000", "2026-13-01T00:00:00Z"}) {
            assertProblem(server.post("/api/v1/queues/" + queue + "/messages", server.admin,
                    "{\"payload\":1,\"notBefore\":\"" + time + "\"}"), 400, "notBefore");
        }
        assertThat(server.counts(queue).get("scheduled").asInt()).isZero();
    }

    @Test
    void aPathThatIsNotUtf8IsAProblemForEveryMethod() {
        for (String method : new String[] {"GET", "DELETE", "PUT", "POST"}) {
            Reply reply = server.call(method, "/api/v1/messages/%C0%AE", server.admin, method.equals("PUT") ? "{}" : null);
            assertProblem(reply, 400);
        }
    }

    @Test
    void aRequestRefusedBeforeRoutingSaysTheConnectionCloses() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.api().port())) {
            socket.setSoTimeout(10_000); // a connection left open would make readAllBytes time out
            socket.getOutputStream().write(("GET /api/v1/batches/%00 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + server.admin + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 400 ");
            assertThat(answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase(Locale.ROOT)).contains("\r\nconnection: close");
        }
    }

    @Test
    void onlyTheMediaTypeApplicationJsonIsReadAsJson() throws Exception {
        String queue = TestServer.uniqueQueue("media");
        for (String contentType : new String[] {"application/json-patch+json", "application/jsonx"}) {
            HttpResponse<String> refused = server.http().send(server.request("PUT", "/api/v1/queues/" + queue, server.admin,
                    "{}".getBytes(StandardCharsets.UTF_8)).setHeader("Content-Type", contentType).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as("%s: %s", contentType, refused.body()).isEqualTo(415);
        }
        HttpResponse<String> taken = server.http().send(server.request("PUT", "/api/v1/queues/" + queue, server.admin,
                "{}".getBytes(StandardCharsets.UTF_8)).setHeader("Content-Type", "Application/JSON; charset=utf-8").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(taken.statusCode()).as(taken.body()).isEqualTo(201);
    }

    @Test
    void anEmptyOrBlankStringIsNotANumberNorAnObject() {
        String queue = TestServer.uniqueQueue("blank");
        server.createQueue(queue);
        assertProblem(server.post("/api/v1/queues/" + queue + "/receive", server.admin, "{\"waitSeconds\":\"  \"}"), 400, "waitSeconds");
        assertProblem(server.post("/api/v1/queues/" + queue + "/receive", server.admin, "{\"max\":\"\"}"), 400, "max");
        assertProblem(server.put("/api/v1/queues/" + queue, server.admin, "{\"backoff\":\"\"}"), 400, "backoff");
        assertProblem(server.post("/api/v1/queues/" + queue + "/messages", server.admin, "{\"payload\":1,\"priority\":\" \"}"), 400, "priority");
        assertThat(server.post("/api/v1/queues/" + queue + "/messages", server.admin, "{\"payload\":\"\",\"orderingKey\":\"k\"}").status())
                .as("an empty string is still a string").isEqualTo(201);
    }

    @Test
    void aRedriveFiltersTimesAreRfc3339StringsNotNumbers() {
        String queue = TestServer.uniqueQueue("redrive");
        server.createQueue(queue);
        assertProblem(server.post("/api/v1/queues/" + queue + "/redrive", server.admin, "{\"filter\":{\"since\":1001}}"), 400, "filter.since");
        assertProblem(server.post("/api/v1/queues/" + queue + "/redrive", server.admin, "{\"filter\":{\"until\":1e300}}"), 400, "filter.until");
        assertThat(server.post("/api/v1/queues/" + queue + "/redrive", server.admin,
                "{\"filter\":{\"since\":\"2026-01-01T00:00:00Z\",\"until\":\"2026-01-02T00:00:00Z\"}}").status()).isEqualTo(200);
    }

    @Test
    void aBadWaitIsRefusedEvenForAMessageThatIsDone() {
        String queue = TestServer.uniqueQueue("wait");
        server.createQueue(queue);
        String id = server.send(queue, "1");
        JsonNode leased = server.receiveOne(queue);
        assertThat(server.post("/api/v1/messages/" + id + "/ack", server.admin, "{\"leaseId\":\"" + leased.get("leaseId").asText() + "\"}").status())
                .isEqualTo(200);

        for (String notANumber : new String[] {"abc", "NaN", "5d", "0x1p3", "Infinity"}) {
            assertProblem(server.get("/api/v1/messages/" + id + "?waitSeconds=" + notANumber, server.admin), 400, "waitSeconds");
        }
        assertProblem(server.get("/api/v1/messages/" + id + "?waitSeconds=31", server.admin), 422, "waitSeconds");
        assertProblem(server.get("/api/v1/messages/" + id + "?waitSeconds=-1", server.admin), 422, "waitSeconds");
        assertThat(server.get("/api/v1/messages/" + id + "?waitSeconds=1.5", server.admin).json().get("state").asText()).isEqualTo("SUCCEEDED");
    }
}
