package dev.postroom.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The few calls of the HTTP API the campaign makes, against one node's port. Every call returns
 * what the server answered, or throws {@link IOException} when no answer came (the node died
 * mid-request, or is not listening): the caller decides what an unanswered call means.
 *
 * <p>POSTs are never retried by the JDK's client ({@code jdk.httpclient.enableAllMethodRetry} is
 * off by default), so a send either got an answer or was made once.
 */
final class PostroomClient {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Longer than any long-poll the campaign asks for (1 s), short enough to notice a hung node. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

    private final ObjectMapper json;
    private final String token;
    private final String base;

    PostroomClient(ObjectMapper json, String token, int port) {
        this.json = json;
        this.token = token;
        this.base = "http://127.0.0.1:" + port;
    }

    /** One message as a receive returned it. */
    record Received(String id, String leaseId, String key, int attempt) {
    }

    /** The outcome of an ack or a nack of one message: 200, or the status the server gave that entry. */
    record Settled(String id, int status) {
        boolean confirmed() {
            return status == 200;
        }
    }

    /** {@code PUT /api/v1/queues/{queue}}; returns the status. */
    int putQueue(String queue, ObjectNode policy) throws IOException, InterruptedException {
        return call("PUT", "/api/v1/queues/" + queue, policy).statusCode();
    }

    /** {@code POST .../messages} of one payload; the message's id when answered 201, else null. */
    String send(String queue, String key) throws IOException, InterruptedException {
        HttpResponse<String> answer = call("POST", "/api/v1/queues/" + queue + "/messages", message(key));
        return answer.statusCode() == 201 ? json.readTree(answer.body()).path("id").asText(null) : null;
    }

    /** {@code POST .../messages:batch}; the ids in order when answered 201, else an empty list (all-or-nothing). */
    List<String> sendBatch(String queue, List<String> keys) throws IOException, InterruptedException {
        ObjectNode body = json.createObjectNode();
        ArrayNode messages = body.putArray("messages");
        keys.forEach(key -> messages.add(message(key)));
        HttpResponse<String> answer = call("POST", "/api/v1/queues/" + queue + "/messages:batch", body);
        if (answer.statusCode() != 201) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        json.readTree(answer.body()).path("results").forEach(r -> ids.add(r.path("id").asText()));
        return ids;
    }

    /** {@code POST .../receive}; the messages leased, empty when none or when the node refused (e.g. 503). */
    List<Received> receive(String queue, int max, double waitSeconds, double leaseSeconds) throws IOException, InterruptedException {
        ObjectNode body = json.createObjectNode().put("max", max).put("waitSeconds", waitSeconds).put("leaseSeconds", leaseSeconds);
        HttpResponse<String> answer = call("POST", "/api/v1/queues/" + queue + "/receive", body);
        if (answer.statusCode() != 200) {
            return List.of();
        }
        List<Received> received = new ArrayList<>();
        for (JsonNode m : json.readTree(answer.body()).path("messages")) {
            received.add(new Received(m.path("id").asText(), m.path("leaseId").asText(),
                    m.path("payload").path("key").asText(null), m.path("attempt").asInt()));
        }
        return received;
    }

    /** {@code POST /api/v1/messages/{id}/ack}. */
    Settled ack(Received message) throws IOException, InterruptedException {
        ObjectNode body = json.createObjectNode().put("leaseId", message.leaseId());
        return new Settled(message.id(), call("POST", "/api/v1/messages/" + message.id() + "/ack", body).statusCode());
    }

    /**
     * {@code POST /api/v1/messages:ack} of every message in one call: each entry's status, in order.
     * A whole-request refusal (a 503 while the store is down, say) gives every entry that status.
     */
    List<Settled> ackAll(List<Received> messages) throws IOException, InterruptedException {
        ObjectNode body = json.createObjectNode();
        ArrayNode acks = body.putArray("acks");
        messages.forEach(m -> acks.addObject().put("id", m.id()).put("leaseId", m.leaseId()));
        HttpResponse<String> answer = call("POST", "/api/v1/messages:ack", body);
        List<Settled> settled = new ArrayList<>(messages.size());
        if (answer.statusCode() != 200) {
            messages.forEach(m -> settled.add(new Settled(m.id(), answer.statusCode())));
            return settled;
        }
        for (JsonNode result : json.readTree(answer.body()).path("results")) {
            settled.add(new Settled(result.path("id").asText(), result.path("status").asInt()));
        }
        return settled;
    }

    /** {@code POST /api/v1/messages/{id}/nack}, due again at once. */
    Settled nack(Received message) throws IOException, InterruptedException {
        ObjectNode body = json.createObjectNode().put("leaseId", message.leaseId()).put("retryAfterSeconds", 0);
        body.putObject("error").put("message", "chaos: a consumer refused it on purpose");
        return new Settled(message.id(), call("POST", "/api/v1/messages/" + message.id() + "/nack", body).statusCode());
    }

    /** {@code GET /api/v1/queues/{queue}}'s counts, or null unless answered 200. */
    JsonNode counts(String queue) throws IOException, InterruptedException {
        HttpResponse<String> answer = call("GET", "/api/v1/queues/" + queue, null);
        return answer.statusCode() == 200 ? json.readTree(answer.body()).path("counts") : null;
    }

    /** {@code GET /api/v1/messages/{id}}'s state, for the report on a message that went missing. */
    String state(String id) throws IOException, InterruptedException {
        HttpResponse<String> answer = call("GET", "/api/v1/messages/" + id, null);
        return answer.statusCode() == 200 ? json.readTree(answer.body()).path("state").asText() : "HTTP " + answer.statusCode();
    }

    /** True when {@code /health/ready} answers 200. */
    boolean ready() {
        try {
            return call("GET", "/health/ready", null).statusCode() == 200;
        } catch (IOException notListening) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private ObjectNode message(String key) {
        ObjectNode message = json.createObjectNode();
        message.putObject("payload").put("key", key);
        return message;
    }

    private HttpResponse<String> call(String method, String path, JsonNode body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
