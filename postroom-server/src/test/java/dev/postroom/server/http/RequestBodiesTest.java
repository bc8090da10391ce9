package dev.postroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postroom.server.http.TestServer.Reply;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static dev.postroom.server.http.TestServer.assertProblem;
import static dev.postroom.server.http.TestServer.uniqueQueue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How request bodies are read: the payload limit exactly at and one byte over 256 KiB, bodies
 * where none belongs, malformed JSON, wrong types and unknown fields (400 naming the field), and
 * errors Jetty answers itself — always problem+json, never HTML.
 */
class RequestBodiesTest {
    private static final int PAYLOAD_LIMIT = 256 * 1024;

    @RegisterExtension
    static final TestServer server = new TestServer();
    static String queue;

    @BeforeAll
    static void start() {
        queue = uniqueQueue("bodies");
        server.createQueue(queue);
    }

    private static Reply send(String body) {
        return server.post("/api/v1/queues/" + queue + "/messages", server.admin, body);
    }

    private static Reply send(byte[] body) {
        return server.call("POST", "/api/v1/queues/" + queue + "/messages", server.admin, body);
    }

    /** A JSON string payload whose JSON text ({@code "…"}) is exactly {@code bytes} UTF-8 bytes. */
    private static String payloadOf(int bytes) {
        return "\"" + "a".repeat(bytes - 2) + "\"";
    }

    // ---------------------------------------------------------------- limits

    @Test
    void anUnauthenticatedRequestIsAnsweredWithoutWaitingForItsLargeBody() {
        // Headers announcing 8 MB and no body: the 401 comes at once, not after reading (or waiting for) the body,
        // and the connection is closed rather than kept for the rest of it.
        Reply reply = server.raw("POST /api/v1/queues/anything/messages HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: 8000000\r\n\r\n{\"payload\":");

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.contentType()).startsWith("application/problem+json");
    }

    @Test
    void payloadOfExactly256KiBIsAccepted() {
        Reply reply = send("{\"payload\":" + payloadOf(PAYLOAD_LIMIT) + "}");

        assertThat(reply.status()).as("%s", reply).isEqualTo(201);
        JsonNode stored = server.message(reply.json().get("id").asText()).get("payload");
        assertThat(stored.asText()).hasSize(PAYLOAD_LIMIT - 2);
    }

    @Test
    void payloadOneByteOver256KiBIs413NamingPayloadAndTheLimit() {
        int before = server.counts(queue).get("ready").asInt();

        JsonNode problem = assertProblem(send("{\"payload\":" + payloadOf(PAYLOAD_LIMIT + 1) + "}"), 413, "payload");

        assertThat(problem.get("detail").asText()).contains(Integer.toString(PAYLOAD_LIMIT));
        assertThat(server.counts(queue).get("ready").asInt()).isEqualTo(before);
    }

    @Test
    void payloadLimitCountsUtf8BytesNotCharacters() {
        String twoByteChars = "\"" + "é".repeat((PAYLOAD_LIMIT - 2) / 2) + "\"";
        assertThat(twoByteChars.getBytes(StandardCharsets.UTF_8)).hasSize(PAYLOAD_LIMIT);

        assertThat(send("{\"payload\":" + twoByteChars + "}").status()).isEqualTo(201);
        assertProblem(send("{\"payload\":" + twoByteChars.replaceFirst("é", "éa") + "}"), 413, "payload");
    }

    @Test
    void aBatchEntryOverThePayloadLimitIs413NamingTheEntry() {
        assertProblem(server.post("/api/v1/queues/" + queue + "/messages:batch", server.admin,
                "{\"messages\":[{\"payload\":1},{\"payload\":" + payloadOf(PAYLOAD_LIMIT + 1) + "}]}"), 413, "messages[1].payload");
    }

    @Test
    void aBodyOverTheRequestLimitIs413NamingTheLimit() {
        byte[] body = ("{\"payload\":" + payloadOf((int) ApiServer.MAX_BODY_BYTES) + "}").getBytes(StandardCharsets.UTF_8);

        JsonNode problem = assertProblem(send(body), 413, "body");

        assertThat(problem.get("detail").asText()).contains(Long.toString(ApiServer.MAX_BODY_BYTES));
    }

    // ---------------------------------------------------------------- bodies where none belongs

    @Test
    void aBodyOnAGetIs400NamingBody() {
        assertProblem(server.call("GET", "/api/v1/queues", server.admin, "{}"), 400, "body");
        assertProblem(server.call("GET", "/api/v1/queues/" + queue, server.admin, "{}"), 400, "body");
    }

    @Test
    void aBodyOnADeleteIs400AndDeletesNothing() {
        assertProblem(server.call("DELETE", "/api/v1/queues/" + queue, server.admin, "{}"), 400, "body");

        assertThat(server.get("/api/v1/queues/" + queue, server.admin).status()).isEqualTo(200);
    }

    @Test
    void aChunkedBodyOnAGetIs400Too() {
        Reply reply = server.raw("GET /api/v1/queues HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + server.admin
                + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n");

        assertProblem(reply, 400, "body");
    }

    /**
     * Regression: a request refused before any route read its body (a body on a GET or DELETE, a
     * 401, a 403) left the body unread, so Jetty answered with {@code Connection: close} and shut
     * the connection while a client with a large body was still sending it: the client saw a broken
     * pipe instead of the answer. The server now reads such a body first, and a request pipelined
     * behind it on the same connection is answered too.
     */
    @Test
    void aRefusedRequestsLargeBodyIsReadSoTheConnectionStaysOpen() throws Exception {
        String messages = "/api/v1/queues/" + queue + "/messages";
        // Only for a valid token: a request without one is answered and its connection closed (below).
        Map<String, String> refused = Map.of(
                "DELETE /api/v1/queues/" + queue + " HTTP/1.1\r\nAuthorization: Bearer " + server.admin, "HTTP/1.1 400 ",
                "POST " + messages + " HTTP/1.1\r\nAuthorization: Bearer " + server.token("read"), "HTTP/1.1 403 ");

        for (Map.Entry<String, String> request : refused.entrySet()) {
            String answers = pipelinedAfter(request.getKey(), 3_000_000);

            assertThat(answers).as(request.getKey()).startsWith(request.getValue()).contains("{\"status\":\"UP\"}");
        }
    }

    /** Sends {@code head} with a body of {@code size} bytes and then GET /health/live on one connection; answers all it reads. */
    private static String pipelinedAfter(String head, int size) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.api().port())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    out.write((head + "\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: " + size + "\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.write("x".repeat(size).getBytes(StandardCharsets.ISO_8859_1));
                    out.write("GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                } catch (IOException closed) {
                    // the server hung up early; the answers read below show it
                }
            });
            ByteArrayOutputStream answers = new ByteArrayOutputStream();
            try {
                socket.getInputStream().transferTo(answers);
            } catch (IOException reset) {
                // as above
            }
            writer.join();
            return answers.toString(StandardCharsets.ISO_8859_1);
        }
    }

    // ---------------------------------------------------------------- JSON

    @Test
    void malformedJsonIs400NamingBody() {
        assertProblem(send("{\"payload\":"), 400, "body");
        assertProblem(send("{payload: 1}"), 400, "body");
        assertProblem(send("not json"), 400, "body");
    }

    @Test
    void trailingGarbageAfterTheObjectIs400() {
        assertProblem(send("{\"payload\":1} {\"payload\":2}"), 400);
    }

    @Test
    void aJsonNullBodyIs400NamingBody() {
        assertProblem(send("null"), 400, "body");
        assertProblem(server.post("/api/v1/queues/" + queue + "/receive", server.admin, "null"), 400, "body");
    }

    @Test
    void aBodyThatIsNotAnObjectIs400NamingBody() {
        assertProblem(send("[]"), 400, "body");
        assertProblem(send("\"payload\""), 400, "body");
        assertProblem(send("42"), 400, "body");
    }

    @Test
    void aStringWhereANumberBelongsIs400NamingTheField() {
        assertProblem(send("{\"payload\":1,\"priority\":\"5\"}"), 400, "priority");
        assertProblem(server.post("/api/v1/queues/" + queue + "/receive", server.admin, "{\"max\":\"1\"}"), 400, "max");
    }

    @Test
    void aNumberWhereAStringBelongsIs400NamingTheField() {
        assertProblem(send("{\"payload\":1,\"orderingKey\":5}"), 400, "orderingKey");
        assertProblem(send("{\"payload\":1,\"headers\":{\"kind\":true}}"), 400, "headers.kind");
    }

    @Test
    void aFractionWhereAWholeNumberBelongsIs400NamingTheField() {
        assertProblem(send("{\"payload\":1,\"priority\":1.5}"), 400, "priority");
    }

    @Test
    void aNumberTooLargeForItsFieldIs400NamingTheField() {
        assertProblem(send("{\"payload\":1,\"priority\":99999999999999999999}"), 400, "priority");
    }

    @Test
    void anArrayWhereAnObjectBelongsIs400NamingTheField() {
        assertProblem(send("{\"payload\":1,\"headers\":[\"a\"]}"), 400, "headers");
    }

    @Test
    void aTimeThatIsNotAnRfc3339StringIs400NamingTheField() {
        assertProblem(send("{\"payload\":1,\"notBefore\":\"tomorrow\"}"), 400, "notBefore");
        assertProblem(send("{\"payload\":1,\"notBefore\":1700000000}"), 400, "notBefore");
    }

    @Test
    void anUnknownFieldIs400NamingTheField() {
        assertProblem(send("{\"payload\":1,\"priorty\":5}"), 400, "priorty");
    }

    @Test
    void fieldsInsideNestedObjectsAndArraysAreNamedByTheirPath() {
        assertProblem(server.put("/api/v1/queues/" + queue, server.admin, "{\"backoff\":{\"factor\":2}}"), 400, "backoff.factor");
        assertProblem(server.post("/api/v1/queues/" + queue + "/messages:batch", server.admin,
                "{\"messages\":[{\"payload\":1},{\"payload\":1,\"priority\":\"x\"}]}"), 400, "messages[1].priority");
    }

    @Test
    void invalidUtf8Is400() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("{\"payload\":\"".getBytes(StandardCharsets.US_ASCII));
        body.write(0xC3);
        body.write(0x28);
        body.writeBytes("\"}".getBytes(StandardCharsets.US_ASCII));

        assertProblem(send(body.toByteArray()), 400);
    }

    @Test
    void aContentTypeOtherThanJsonIs415() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + "/api/v1/queues/" + queue + "/messages"))
                .header("Authorization", "Bearer " + server.admin).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"payload\":1}")).build();

        HttpResponse<String> response = server.http().send(request, HttpResponse.BodyHandlers.ofString());

        assertProblem(new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body()), 415);
    }

    // ---------------------------------------------------------------- errors outside the routes

    @Test
    void anUnknownRouteIs404ProblemWithAFixedTitle() {
        JsonNode problem = assertProblem(server.get("/api/v1/nothing-here", server.admin), 404);

        assertThat(problem.get("title").asText()).isEqualTo("Not Found");
        assertThat(problem.get("detail").asText()).contains("/api/v1/nothing-here");
    }

    @Test
    void aMalformedUriIsAProblemNotAnHtmlPage() {
        Reply reply = server.raw("GET /api/v1/queues/%zz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

        assertProblem(reply, 400);
    }

    @Test
    void headersOverTheLimitAreAProblemNotAnHtmlPage() {
        Reply reply = server.raw("GET /api/v1/queues HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + "x".repeat(20_000)
                + "\r\nConnection: close\r\n\r\n");

        assertProblem(reply, 431);
    }

    @Test
    void aUriOverTheLimitIsAProblemNotAnHtmlPage() {
        Reply reply = server.raw("GET /api/v1/queues/" + "x".repeat(20_000) + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

        assertProblem(reply, 414);
    }
}
