package dev.postroom.server.http;

import dev.postroom.Postroom;
import dev.postroom.micrometer.PostroomMeters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's Prometheus registry: Postroom's own meters ({@link PostroomMeters}: per-queue
 * counters, gauges and timers), JVM metrics, and HTTP request timers (added by {@link ApiServer}).
 * Every metric has help text and a unit that {@code promtool check metrics} accepts (a test scrapes
 * a busy server and runs it): two of Micrometer's own are renamed for that, see {@link #PROMETHEUS_NAMES}.
 */
final class Metrics {
    /**
     * Micrometer's {@code process.cpu.time} counts nanoseconds ({@code process_cpu_time_ns_total}, an
     * abbreviated unit that promtool rejects): it is replaced by {@code process.cpu} in seconds,
     * Prometheus's own {@code process_cpu_seconds_total}. {@code system.cpu.count} is a gauge whose
     * name ends in {@code _count}, which Prometheus reserves for histograms and summaries.
     */
    static final MeterFilter PROMETHEUS_NAMES = new MeterFilter() {
        @Override
        public MeterFilterReply accept(Meter.Id id) {
            return id.getName().equals("process.cpu.time") ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
        }

        @Override
        public Meter.Id map(Meter.Id id) {
            return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
        }
    };
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final PostroomMeters meters;
    private final Map<RequestKind, Timer> requestTimers = new ConcurrentHashMap<>();

    Metrics() {
        registry.config().meterFilter(PROMETHEUS_NAMES);
        meters = new PostroomMeters(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            FunctionCounter.builder("process.cpu", os, bean -> bean.getProcessCpuTime() / 1e9)
                    .description("The CPU time used by the Java virtual machine process").baseUnit("seconds").register(registry);
        }
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
        meters.refreshCounts(); // when the store is away: a 503, counted as a failed request by ApiServer
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
                .description("HTTP requests to the API, the console and /metrics, by method, route pattern and status")
                .tag("method", kind.method()).tag("route", kind.route()).tag("status", Integer.toString(kind.status()))
                .register(registry));
    }
}
