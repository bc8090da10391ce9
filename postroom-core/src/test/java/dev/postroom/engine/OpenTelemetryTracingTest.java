package dev.postroom.engine;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tracing with the OpenTelemetry API on the class path (it is an optional dependency of this
 * module, so its tests have it). No SDK: a span context made by hand stands for the sender's span.
 */
class OpenTelemetryTracingTest {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN_ID = "00f067aa0ba902b7";
    private static final Span SENDER = Span.wrap(SpanContext.create(TRACE_ID, SPAN_ID, TraceFlags.getSampled(), TraceState.getDefault()));

    private final Tracing tracing = Tracing.detect();

    @Test
    void theApiOnTheClassPathIsDetected() {
        assertThat(tracing).isInstanceOf(OpenTelemetryTracing.class);
    }

    @Test
    void sendInsideASpanCarriesItsTraceparent() {
        Map<String, String> headers;
        try (Scope ignored = SENDER.makeCurrent()) {
            headers = tracing.inject(Map.of("tenant", "acme"), 64);
        }
        assertThat(headers).containsEntry("tenant", "acme")
                .containsEntry("traceparent", "00-" + TRACE_ID + "-" + SPAN_ID + "-01");
    }

    @Test
    void sendOutsideASpanLeavesTheHeadersAlone() {
        Map<String, String> headers = Map.of("tenant", "acme");
        assertThat(tracing.inject(headers, 64)).isSameAs(headers);
    }

    @Test
    void aTraceparentTheSenderSetIsKept() {
        Map<String, String> headers = Map.of("traceparent", "00-11111111111111111111111111111111-2222222222222222-00");
        try (Scope ignored = SENDER.makeCurrent()) {
            assertThat(tracing.inject(headers, 64)).isSameAs(headers);
        }
    }

    @Test
    void headersAtTheirLimitAreNotTakenOverIt() {
        Map<String, String> full = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            full.put("h" + i, "v");
        }
        try (Scope ignored = SENDER.makeCurrent()) {
            assertThat(tracing.inject(full, 3)).isSameAs(full);
        }
    }

    @Test
    void handlerRunsWithTheSendersSpanAsParent() {
        Map<String, String> headers;
        try (Scope ignored = SENDER.makeCurrent()) {
            headers = tracing.inject(Map.of(), 64);
        }
        SpanContext inHandler;
        try (Tracing.Scope ignored = tracing.enter(headers)) {
            inHandler = Span.current().getSpanContext();
        }
        assertThat(inHandler.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(inHandler.getSpanId()).isEqualTo(SPAN_ID);
        assertThat(inHandler.isRemote()).isTrue();
        assertThat(Span.current().getSpanContext().isValid()).as("context restored after the handler").isFalse();
    }

    @Test
    void malformedOrMissingTraceparentRunsTheHandlerWithoutATrace() {
        try (Tracing.Scope ignored = tracing.enter(Map.of("traceparent", "garbage"))) {
            assertThat(Span.current().getSpanContext().isValid()).isFalse();
        }
        try (Tracing.Scope ignored = tracing.enter(Map.of())) {
            assertThat(Span.current().getSpanContext().isValid()).isFalse();
        }
    }
}
