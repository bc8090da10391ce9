package dev.postroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postroom.RawJson;
import dev.postroom.server.http.TestServer.Reply;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static dev.postroom.server.http.TestServer.uniqueQueue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A send's W3C trace context reaches the handler: from a {@code traceparent} request header over
 * HTTP, and from the span current at a Java send. The OpenTelemetry API is on this module's test
 * class path (no SDK: a span context made by hand stands for the sender's span).
 */
class TracePropagationTest {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN_ID = "00f067aa0ba902b7";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + SPAN_ID + "-01";
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @RegisterExtension
    static final TestServer server = new TestServer();
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static String queue(String prefix) {
        String queue = uniqueQueue(prefix);
        server.createQueue(queue);
        return queue;
    }

    /** POSTs {@code json} with a {@code traceparent} request header. */
    private static Reply postTraced(String path, String json, String traceparent) {
        var request = server.request("POST", path, server.admin, json.getBytes(StandardCharsets.UTF_8))
                .header("traceparent", traceparent).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String sentId(Reply reply) {
        assertThat(reply.status()).as("%s", reply).isEqualTo(201);
        return reply.json().get("id").asText();
    }

    private static SpanContext awaitHandled(CompletableFuture<SpanContext> seen) {
        assertThat(seen).succeedsWithin(PATIENCE);
        return seen.join();
    }

    @Test
    void traceparentRequestHeaderIsStoredAsTheMessagesHeader() {
        String queue = queue("traced");

        String id = sentId(postTraced("/api/v1/queues/" + queue + "/messages", "{\"payload\":{}}", TRACEPARENT));

        assertThat(server.message(id).get("headers").get("traceparent").asText()).isEqualTo(TRACEPARENT);
    }

    @Test
    void traceparentInTheBodysHeadersWinsOverTheRequestHeader() {
        String queue = queue("traced");
        String own = "00-11111111111111111111111111111111-2222222222222222-00";

        String id = sentId(postTraced("/api/v1/queues/" + queue + "/messages",
                "{\"payload\":{},\"headers\":{\"traceparent\":\"" + own + "\"}}", TRACEPARENT));

        assertThat(server.message(id).get("headers").get("traceparent").asText()).isEqualTo(own);
    }

    @Test
    void malformedTraceparentRequestHeaderIsIgnored() {
        String queue = queue("traced");

        String id = sentId(postTraced("/api/v1/queues/" + queue + "/messages", "{\"payload\":{}}", "not-a-trace"));

        assertThat(server.message(id).get("headers").has("traceparent")).isFalse();
    }

    @Test
    void everyMessageOfABatchCarriesTheRequestsTraceparent() {
        String queue = queue("traced");

        Reply reply = postTraced("/api/v1/queues/" + queue + "/messages:batch",
                "{\"messages\":[{\"payload\":1},{\"payload\":2}]}", TRACEPARENT);

        assertThat(reply.status()).as("%s", reply).isEqualTo(201);
        assertThat(reply.json().get("results")).hasSize(2);
        for (JsonNode sent : reply.json().get("results")) {
            assertThat(server.message(sent.get("id").asText()).get("headers").get("traceparent").asText()).isEqualTo(TRACEPARENT);
        }
    }

    @Test
    void handlerRunsInTheTraceOfTheHttpRequest() {
        String queue = queue("traced");
        CompletableFuture<SpanContext> seen = new CompletableFuture<>();
        server.postroom().handle(queue, RawJson.class, delivery -> seen.complete(Span.current().getSpanContext()));

        sentId(postTraced("/api/v1/queues/" + queue + "/messages", "{\"payload\":{}}", TRACEPARENT));

        SpanContext inHandler = awaitHandled(seen);
        assertThat(inHandler.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(inHandler.getSpanId()).as("the sender's span, the parent of any span the handler starts").isEqualTo(SPAN_ID);
    }

    @Test
    void handlersLogLinesCarryTheTraceIdInTheirMdc() {
        String queue = queue("traced");
        CompletableFuture<String> seen = new CompletableFuture<>();
        server.postroom().handle(queue, RawJson.class, delivery -> seen.complete(String.valueOf(org.slf4j.MDC.get("traceId"))));

        sentId(postTraced("/api/v1/queues/" + queue + "/messages", "{\"payload\":{}}", TRACEPARENT));

        assertThat(seen).succeedsWithin(PATIENCE).isEqualTo(TRACE_ID);
    }

    @Test
    void spanCurrentAtAJavaSendIsTheParentOfTheHandlersContext() {
        String queue = queue("traced");
        CompletableFuture<SpanContext> seen = new CompletableFuture<>();
        CompletableFuture<String> header = new CompletableFuture<>();
        server.postroom().handle(queue, RawJson.class, delivery -> {
            header.complete(delivery.traceparent());
            return seen.complete(Span.current().getSpanContext());
        });
        String traceId = "0af7651916cd43dd8448eb211c80319c";
        String spanId = "b7ad6b7169203331";
        Span sender = Span.wrap(SpanContext.create(traceId, spanId, TraceFlags.getSampled(), TraceState.getDefault()));

        try (Scope ignored = sender.makeCurrent()) {
            server.postroom().send(queue, new RawJson("{}")).join();
        }

        SpanContext inHandler = awaitHandled(seen);
        assertThat(inHandler.getTraceId()).isEqualTo(traceId);
        assertThat(inHandler.getSpanId()).isEqualTo(spanId);
        assertThat(header.join()).isEqualTo("00-" + traceId + "-" + spanId + "-01");
    }

    @Test
    void handlerOfAnUntracedSendRunsWithoutATrace() {
        String queue = queue("untraced");
        CompletableFuture<SpanContext> seen = new CompletableFuture<>();
        server.postroom().handle(queue, RawJson.class, delivery -> seen.complete(Span.current().getSpanContext()));

        server.send(queue, "{}");

        assertThat(awaitHandled(seen).isValid()).isFalse();
    }
}
