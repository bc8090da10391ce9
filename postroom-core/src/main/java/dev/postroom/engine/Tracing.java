package dev.postroom.engine;

import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Carries the sender's trace into the handler. At a send, {@link #inject} adds the W3C
 * {@code traceparent} of the caller's current span to the message headers (unless they carry one
 * already); around a handler, {@link #enter} makes the message's trace context current, so spans
 * the handler starts are children of the sender's.
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

    /** A trace context made current by {@link #enter}; closing restores the previous one. */
    interface Scope extends AutoCloseable {
        Scope NONE = () -> {
        };

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
