package dev.postroom.engine;

import dev.postroom.TraceHeaders;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
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
 *
 * <p>Spans come from the global OpenTelemetry's tracer {@code dev.postroom}, looked up at each use:
 * an application may install its SDK after Postroom starts. A send's PRODUCER span ends once its
 * context is in the headers, before the store commits: it marks the send and carries the trace; the
 * commit's time is in the caller's span and in {@code postroom.send.to.start}.
 */
final class OpenTelemetryTracing implements Tracing {
    static final String INSTRUMENTATION = "dev.postroom";
    private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    private static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    private static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    private static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    private static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
    /** As Google Pub/Sub's {@code messaging.gcp_pubsub.message.delivery_attempt}: the semantic conventions have no general one. */
    private static final AttributeKey<Long> DELIVERY_ATTEMPT = AttributeKey.longKey("messaging.postroom.message.delivery_attempt");

    private final OpenTelemetry openTelemetry;

    /** The global OpenTelemetry, as {@link Tracing#detect()} makes it. */
    OpenTelemetryTracing() {
        this(null);
    }

    /** This OpenTelemetry's tracer (tests), or the global one when null. */
    OpenTelemetryTracing(OpenTelemetry openTelemetry) {
        this.openTelemetry = openTelemetry;
    }

    private Tracer tracer() {
        return (openTelemetry != null ? openTelemetry : global()).getTracer(INSTRUMENTATION);
    }

    /**
     * The OpenTelemetry the application installed, else a no-op one. {@code getOrNoop} (API 1.5x and
     * later) does not try to configure an SDK itself, nor log that it will not, as {@code get} does
     * when the SDK's autoconfigure module is on the class path; older APIs have only {@code get}.
     */
    private static OpenTelemetry global() {
        return HAS_GET_OR_NOOP ? GlobalOpenTelemetry.getOrNoop() : GlobalOpenTelemetry.get();
    }

    private static final boolean HAS_GET_OR_NOOP = hasGetOrNoop();

    private static boolean hasGetOrNoop() {
        try {
            GlobalOpenTelemetry.class.getMethod("getOrNoop");
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private SpanBuilder span(String operation, SpanKind kind, String queue, String id) {
        return tracer().spanBuilder(operation + " " + queue).setSpanKind(kind)
                .setAttribute(SYSTEM, "postroom").setAttribute(DESTINATION, queue).setAttribute(MESSAGE_ID, id)
                .setAttribute(OPERATION_TYPE, operation).setAttribute(OPERATION_NAME, operation);
    }

    @Override
    public Map<String, String> send(String queue, String id, Map<String, String> headers, int maxHeaders) {
        if (headers.containsKey(TraceHeaders.TRACEPARENT)) {
            return headers;
        }
        Span producer = span("send", SpanKind.PRODUCER, queue, id).startSpan();
        try (io.opentelemetry.context.Scope ignored = producer.makeCurrent()) {
            return inject(headers, maxHeaders);
        } finally {
            producer.end();
        }
    }

    @Override
    public Scope process(String queue, String id, int attempt, Map<String, String> headers) {
        Context sent = extract(headers);
        SpanBuilder builder = span("process", SpanKind.CONSUMER, queue, id).setAttribute(DELIVERY_ATTEMPT, (long) attempt);
        SpanContext producer = Span.fromContext(sent).getSpanContext();
        if (producer.isValid()) {
            builder.setParent(sent).addLink(producer);
        } else {
            builder.setNoParent();
        }
        Span consumer = builder.startSpan();
        // A no-op tracer hands back the parent span itself: current, so the handler still runs in the sender's trace.
        io.opentelemetry.context.Scope scope = consumer.storeInContext(sent).makeCurrent();
        return new Scope() {
            @Override
            public void failed(Throwable error) {
                consumer.recordException(error);
                consumer.setStatus(StatusCode.ERROR, error.toString());
            }

            @Override
            public void close() {
                scope.close();
                consumer.end();
            }
        };
    }

    /** The context a message's headers carry, from the root; the root when there is none. */
    private static Context extract(Map<String, String> headers) {
        // From the root, not Context.current(): the handler's parent is the sender, not whatever
        // bytecode instrumentation may have propagated onto the dispatcher's thread.
        return headers.containsKey(TraceHeaders.TRACEPARENT) ? W3C.extract(Context.root(), headers, GETTER) : Context.root();
    }
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
        Context extracted = extract(headers);
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
