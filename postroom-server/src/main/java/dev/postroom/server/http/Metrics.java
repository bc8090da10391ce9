package dev.postroom.server.http;

import dev.postroom.MessageListener;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.StateCounts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus metrics: per-queue counters (sent, acked, nacked, dead), gauges (ready, in flight,
 * scheduled, dead; {@code postroom_queue_oldest_ready_age_seconds}, how long the oldest READY
 * message that no one has leased has waited, 0 when none), send-to-start and handle-duration timers with percentile histograms, JVM
 * metrics, and HTTP request timers (added by {@link ApiServer}).
 */
final class Metrics implements MessageListener {
    private static final Set<MessageState> GAUGED_STATES =
            EnumSet.of(MessageState.SCHEDULED, MessageState.READY, MessageState.IN_FLIGHT, MessageState.DEAD);
    private static final long MAX_GAUGE_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, QueueMeters> queues = new ConcurrentHashMap<>();
    private final Set<String> gauged = ConcurrentHashMap.newKeySet();
    private final Map<RequestKind, Timer> requestTimers = new ConcurrentHashMap<>();
    private volatile Postroom postroom;
    /** The counts the gauges of one scrape read: see {@link #scrape()}. */
    private volatile GaugeCounts gaugeCounts;

    /** Counts of the gauged states, read at {@code readAt} (System.nanoTime). */
    private record GaugeCounts(Map<String, StateCounts> counts, long readAt) {
    }

    Metrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    void attach(Postroom postroom) {
        this.postroom = postroom;
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * A Prometheus scrape. The store's counts are read once, up front, for every gauge of every
     * queue: without that each gauge would read them itself, five reads per queue per scrape, each
     * a query over the messages table on PostgreSQL. Only the gauged states are asked for, which
     * the PostgreSQL store counts from small partial indexes, never SUCCEEDED (most of the rows).
     */
    String scrape() {
        refreshCounts();
        return registry.scrape();
    }

    private Map<String, StateCounts> refreshCounts() {
        Postroom p = postroom;
        Map<String, StateCounts> counts = p == null ? Map.of() : p.store().counts(GAUGED_STATES);
        gaugeCounts = new GaugeCounts(counts, System.nanoTime());
        return counts;
    }

    /** The counts of the current scrape; a gauge read outside a scrape refreshes them once they are a second old. */
    private StateCounts gaugeCounts(String queue) {
        GaugeCounts current = gaugeCounts;
        Map<String, StateCounts> counts = current != null && System.nanoTime() - current.readAt() < MAX_GAUGE_AGE_NANOS
                ? current.counts() : refreshCounts();
        return counts.get(queue);
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

    private record QueueMeters(Counter sent, Counter acked, Counter nacked, Counter dead, Timer sendToStart, Timer handle) {
    }

    private QueueMeters meters(String queue) {
        return queues.computeIfAbsent(queue, q -> {
            gauges(q);
            return new QueueMeters(
                    Counter.builder("postroom.messages.sent").tag("queue", q).register(registry),
                    Counter.builder("postroom.messages.acked").tag("queue", q).register(registry),
                    Counter.builder("postroom.messages.nacked").tag("queue", q).register(registry),
                    Counter.builder("postroom.messages.dead").tag("queue", q).register(registry),
                    Timer.builder("postroom.send.to.start").tag("queue", q).publishPercentileHistogram()
                            .maximumExpectedValue(Duration.ofMinutes(10)).register(registry),
                    Timer.builder("postroom.handle.duration").tag("queue", q).publishPercentileHistogram()
                            .maximumExpectedValue(Duration.ofMinutes(10)).register(registry));
        });
    }

    /** Gauges read the store's counts when scraped. */
    void gauges(String queue) {
        if (!gauged.add(queue)) {
            return;
        }
        for (MessageState state : GAUGED_STATES) {
            Gauge.builder("postroom.messages", () -> count(queue, state))
                    .tag("queue", queue).tag("state", state.name().toLowerCase()).register(registry);
        }
        Gauge.builder("postroom.queue.oldest.ready.age", () -> oldestReadyAgeSeconds(queue)).baseUnit("seconds")
                .description("How long the oldest READY message of the queue has waited to be delivered; 0 when none")
                .tag("queue", queue).register(registry);
    }

    private double oldestReadyAgeSeconds(String queue) {
        Postroom p = postroom;
        if (p == null) {
            return 0;
        }
        StateCounts counts = gaugeCounts(queue);
        if (counts == null || counts.ready() == 0) {
            return 0; // the counts cost nothing; spare the read
        }
        Instant now = p.clock().instant();
        return p.store().oldestReady(queue)
                .map(since -> since.isBefore(now) ? Duration.between(since, now).toMillis() / 1000.0 : 0.0)
                .orElse(0.0);
    }

    private double count(String queue, MessageState state) {
        Postroom p = postroom;
        if (p == null) {
            return 0;
        }
        StateCounts counts = gaugeCounts(queue);
        return counts == null ? 0 : counts.of(state);
    }

    @Override
    public void sent(String queue, String id, MessageState state, boolean duplicate) {
        if (!duplicate) {
            meters(queue).sent().increment();
        }
    }

    @Override
    public void changed(String queue, String id, MessageState state) {
        if (state == MessageState.SUCCEEDED) {
            meters(queue).acked().increment();
        }
    }

    /** Only failed attempts count as nacks: an operator's retry or cancel is not one. */
    @Override
    public void failed(String queue, String id, MessageState next) {
        QueueMeters meters = meters(queue);
        meters.nacked().increment();
        if (next == MessageState.DEAD) {
            meters.dead().increment();
        }
    }

    @Override
    public void handled(String queue, MessageState outcome, long nanosSinceSend, long handleNanos) {
        QueueMeters meters = meters(queue);
        meters.handle().record(Duration.ofNanos(handleNanos));
        meters.sendToStart().record(Duration.ofNanos(Math.max(0, nanosSinceSend - handleNanos)));
    }
}
