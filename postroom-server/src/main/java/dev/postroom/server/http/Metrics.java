package dev.postroom.server.http;

import dev.postroom.Postroom;
import dev.postroom.micrometer.PostroomMeters;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's Prometheus registry: Postroom's own meters ({@link PostroomMeters}: per-queue
 * counters, gauges and timers), JVM metrics, and HTTP request timers (added by {@link ApiServer}).
 */
final class Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final PostroomMeters meters = new PostroomMeters(registry);
    private final Map<RequestKind, Timer> requestTimers = new ConcurrentHashMap<>();

    Metrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    void attach(Postroom postroom) {
        meters.attach(postroom);
    }

    /** Postroom's meters: the listener that counts what the engine does. */
    PostroomMeters meters() {
        return meters;
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * A Prometheus scrape. The store's counts are read once, up front, for every gauge of every
     * queue: without that each gauge would read them itself, five reads per queue per scrape, each
     * a query over the messages table on PostgreSQL.
     */
    String scrape() {
        meters.refreshCounts();
        return registry.scrape();
    }

    /** Gauges read the store's counts when scraped. */
    void gauges(String queue) {
        meters.registerQueue(queue);
    }

    private record RequestKind(String method, String route, int status) {
    }

    /**
     * The {@code http.server.requests} timer for one method, route pattern and status. Kept here
     * because Micrometer's {@code register} builds the meter's id and looks it up again on every
     * call, a cost paid on every request; the routes and statuses are few, so the map stays small.
     */
    Timer requestTimer(String method, String route, int status) {
        return requestTimers.computeIfAbsent(new RequestKind(method, route, status), kind -> Timer.builder("http.server.requests")
                .tag("method", kind.method()).tag("route", kind.route()).tag("status", Integer.toString(kind.status()))
                .register(registry));
    }
}
