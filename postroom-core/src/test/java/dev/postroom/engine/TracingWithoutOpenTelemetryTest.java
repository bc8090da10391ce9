package dev.postroom.engine;

import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application without the OpenTelemetry API (it is optional) gets no tracing and no error. The
 * engine's classes are loaded again in a class loader that cannot see OpenTelemetry.
 */
class TracingWithoutOpenTelemetryTest {

    @Test
    void withoutTheApiTracingIsOffAndHeadersPassUnchanged() throws Exception {
        ClassLoader hiding = new ClassLoader(getClass().getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.startsWith("io.opentelemetry.") || name.startsWith("dev.postroom.")) {
                    throw new ClassNotFoundException(name);
                }
                return super.loadClass(name, resolve);
            }
        };
        URL engineClasses = Tracing.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader isolated = new URLClassLoader(new URL[] {engineClasses}, hiding)) {
            Class<?> tracing = isolated.loadClass(Tracing.class.getName());
            assertThat(tracing).isNotSameAs(Tracing.class);

            Object detected = tracing.getMethod("detect").invoke(null);

            assertThat(detected).isSameAs(tracing.getField("NONE").get(null));
            Map<String, String> headers = Map.of("tenant", "acme");
            assertThat(tracing.getMethod("inject", Map.class, int.class).invoke(detected, headers, 64)).isSameAs(headers);
        }
    }
}
