package dev.postroom.engine;

import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Carries the sender's trace into the handler. At a send, {@link #inject} adds the W3C
 * {@code traceparent} of the caller's current span to the message headers (unless they carry one
 * already); around a handler, {@link #enter} makes the message's trace context current, so spans
 * the handler starts are children of the sender's.
 *
 * <p>With an OpenTelemetry SDK configured (the global one), a send also records a PRODUCER span
 * ({@link #send}) whose context is the {@code traceparent} stored with the message, and each
 * handler attempt a CONSUMER span ({@link #process}), its child and linked to it, with the
 * messaging semantic-convention attributes ({@code messaging.system=postroom},
 * {@code messaging.destination.name}, {@code messaging.message.id},
 * {@code messaging.operation.type}). Without an SDK those spans are no-ops and only the context
 * travels.
 *
 * <p>The OpenTelemetry API is an optional dependency: {@link #detect()} uses it only when its
 * classes are on the class path, and otherwise returns {@link #NONE}, which leaves headers as
 * they are (a {@code traceparent} set by the caller still travels as an ordinary header).
 */
public interface Tracing {
    /** No tracing library: headers pass unchanged, handlers run without a trace context. */
    Tracing NONE = new Tracing() {
        @Override
        public Map<String, String> inject(Map<String, String> headers, int maxHeaders) {
            return headers;
        }

        @Override
        public Scope enter(Map<String, String> headers) {
            return Scope.NONE;
        }

        @Override
        public String toString() {
            return "none";
        }
    };

    /**
     * {@code headers} plus the current span's trace context when there is a valid one and
     * {@code headers} carry no {@code traceparent}; unchanged when adding would exceed {@code maxHeaders}.
     */
    Map<String, String> inject(Map<String, String> headers, int maxHeaders);

    /** Makes the trace context of {@code headers} current on this thread until the scope is closed. */
    Scope enter(Map<String, String> headers);

    /**
     * The headers of message {@code id}, sent to {@code queue}: as {@link #inject}, with the context
     * of a PRODUCER span for the send when a tracer records one. Headers that carry a
     * {@code traceparent} already are the sender's choice and pass unchanged, with no span.
     */
    default Map<String, String> send(String queue, String id, Map<String, String> headers, int maxHeaders) {
        return inject(headers, maxHeaders);
    }

    /**
     * As {@link #enter}, for attempt {@code attempt} of message {@code id} of {@code queue}: a
     * CONSUMER span, child of the message's context, is current until the scope is closed.
     */
    default Scope process(String queue, String id, int attempt, Map<String, String> headers) {
        return enter(headers);
    }

    /** A trace context made current by {@link #enter}; closing restores the previous one. */
    interface Scope extends AutoCloseable {
        Scope NONE = () -> {
        };

        /** The attempt failed with {@code error}: recorded on the span, if there is one. Call before {@link #close}. */
        default void failed(Throwable error) {
        }

        @Override
        void close();
    }

    /** OpenTelemetry when its API is on the class path, else {@link #NONE}. */
    static Tracing detect() {
        try {
            Class.forName("io.opentelemetry.api.trace.Span", false, Tracing.class.getClassLoader());
            Class.forName("io.opentelemetry.context.Context", false, Tracing.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return NONE;
        }
        try {
            // Reflection, so that no class referring to OpenTelemetry is loaded when it is absent.
            return (Tracing) Class.forName("dev.postroom.engine.OpenTelemetryTracing").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            LoggerFactory.getLogger(Tracing.class).warn("OpenTelemetry API found but unusable; tracing off error={}", e.toString());
            return NONE;
        }
    }
}
