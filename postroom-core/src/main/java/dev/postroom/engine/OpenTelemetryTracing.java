package dev.postroom.engine;

import dev.postroom.TraceHeaders;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link Tracing} through the OpenTelemetry API. Always the W3C format, whatever propagators the
 * application configured: the header is named {@code traceparent}, and any consumer (an HTTP
 * client, another language) can read it. Loaded only by {@link Tracing#detect()}.
 */
final class OpenTelemetryTracing implements Tracing {
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    /** Keeps a header the sender set: a {@code tracestate} of its own is not replaced by ours. */
    private static final TextMapSetter<Map<String, String>> SETTER = Map::putIfAbsent;
    private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    @Override
    public Map<String, String> inject(Map<String, String> headers, int maxHeaders) {
        if (headers.containsKey(TraceHeaders.TRACEPARENT)) {
            return headers;
        }
        Context context = Context.current();
        if (!Span.fromContext(context).getSpanContext().isValid()) {
            return headers;
        }
        Map<String, String> traced = new LinkedHashMap<>(headers);
        W3C.inject(context, traced, SETTER);
        return traced.size() > maxHeaders ? headers : traced;
    }

    @Override
    public Scope enter(Map<String, String> headers) {
        if (!headers.containsKey(TraceHeaders.TRACEPARENT)) {
            return Scope.NONE;
        }
        // From the root, not Context.current(): the handler's parent is the sender, not whatever
        // bytecode instrumentation may have propagated onto the dispatcher's thread.
        Context extracted = W3C.extract(Context.root(), headers, GETTER);
        if (!Span.fromContext(extracted).getSpanContext().isValid()) {
            return Scope.NONE;
        }
        io.opentelemetry.context.Scope scope = extracted.makeCurrent();
        return scope::close;
    }

    @Override
    public String toString() {
        return "opentelemetry-w3c";
    }
}
