package dev.postroom.engine;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With an OpenTelemetry SDK, a send records a PRODUCER span whose context travels in the message's
 * {@code traceparent}, and each handler attempt a CONSUMER span, its child and linked to it, both
 * with the messaging semantic-convention attributes. Spans go to the SDK's in-memory exporter.
 */
class OpenTelemetrySpansTest {
    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
            .build();
    private final Tracing tracing = new OpenTelemetryTracing(sdk);

    @AfterEach
    void close() {
        sdk.close();
    }

    private SpanData only(SpanKind kind) {
        List<SpanData> spans = exporter.getFinishedSpanItems().stream().filter(span -> span.getKind() == kind).toList();
        assertThat(spans).as("%s spans", kind).hasSize(1);
        return spans.getFirst();
    }

    @Test
    void aSendInsideASpanRecordsAProducerSpanWhoseContextIsTheTraceparent() {
        Span request = sdk.getTracer("test").spanBuilder("POST /refunds").startSpan();
        Map<String, String> headers;
        try (Scope ignored = request.makeCurrent()) {
            headers = tracing.send("refunds", "01a2", Map.of("tenant", "acme"), 64);
        } finally {
            request.end();
        }

        SpanData producer = only(SpanKind.PRODUCER);
        assertThat(producer.getName()).isEqualTo("send refunds");
        assertThat(producer.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
        assertThat(producer.getAttributes().asMap()).containsEntry(AttributeKey.stringKey("messaging.system"), "postroom")
                .containsEntry(AttributeKey.stringKey("messaging.destination.name"), "refunds")
                .containsEntry(AttributeKey.stringKey("messaging.message.id"), "01a2")
                .containsEntry(AttributeKey.stringKey("messaging.operation.type"), "send");
        assertThat(headers).containsEntry("tenant", "acme");
        assertThat(headers.get("traceparent")).as("version, the producer's trace and span, flags")
                .startsWith("00-" + producer.getTraceId() + "-" + producer.getSpanId() + "-");
    }

    @Test
    void aHandlerAttemptRecordsAConsumerSpanChildOfAndLinkedToTheProducer() {
        Map<String, String> headers = tracing.send("refunds", "01a2", Map.of(), 64);
        SpanData producer = only(SpanKind.PRODUCER);

        String currentInHandler;
        try (Tracing.Scope ignored = tracing.process("refunds", "01a2", 2, headers)) {
            currentInHandler = Span.current().getSpanContext().getSpanId();
        }

        SpanData consumer = only(SpanKind.CONSUMER);
        assertThat(consumer.getName()).isEqualTo("process refunds");
        assertThat(consumer.getTraceId()).isEqualTo(producer.getTraceId());
        assertThat(consumer.getParentSpanId()).isEqualTo(producer.getSpanId());
        assertThat(consumer.getLinks()).singleElement()
                .satisfies(link -> assertThat(link.getSpanContext().getSpanId()).isEqualTo(producer.getSpanId()));
        assertThat(consumer.getAttributes().asMap()).containsEntry(AttributeKey.stringKey("messaging.system"), "postroom")
                .containsEntry(AttributeKey.stringKey("messaging.destination.name"), "refunds")
                .containsEntry(AttributeKey.stringKey("messaging.message.id"), "01a2")
                .containsEntry(AttributeKey.stringKey("messaging.operation.type"), "process")
                .containsEntry(AttributeKey.longKey("messaging.postroom.message.delivery_attempt"), 2L);
        assertThat(currentInHandler).as("spans the handler starts are the consumer span's children").isEqualTo(consumer.getSpanId());
        assertThat(consumer.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }

    @Test
    void aFailedAttemptMarksItsSpanAsAnErrorWithTheException() {
        Map<String, String> headers = tracing.send("refunds", "01a2", Map.of(), 64);

        try (Tracing.Scope trace = tracing.process("refunds", "01a2", 1, headers)) {
            trace.failed(new IllegalStateException("refused"));
        }

        SpanData consumer = only(SpanKind.CONSUMER);
        assertThat(consumer.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(consumer.getEvents()).anySatisfy(event -> assertThat(event.getName()).isEqualTo("exception"));
    }

    @Test
    void aTraceparentTheSenderSetIsKeptAndNoProducerSpanRecorded() {
        Map<String, String> own = Map.of("traceparent", "00-11111111111111111111111111111111-2222222222222222-01");

        assertThat(tracing.send("refunds", "01a2", own, 64)).isSameAs(own);
        assertThat(exporter.getFinishedSpanItems()).isEmpty();
    }

    @Test
    void anAttemptOfAnUntracedMessageStartsATraceOfItsOwn() {
        try (Tracing.Scope ignored = tracing.process("refunds", "01a2", 1, Map.of())) {
            assertThat(Span.current().getSpanContext().isValid()).isTrue();
        }

        SpanData consumer = only(SpanKind.CONSUMER);
        assertThat(consumer.getParentSpanContext().isValid()).isFalse();
        assertThat(consumer.getLinks()).isEmpty();
    }
}
