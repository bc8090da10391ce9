package dev.postroom.micrometer;

import dev.postroom.MessageListener;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.StateCounts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Postroom's meters on a Micrometer {@link MeterRegistry}, per queue (tag {@code queue}):
 * <ul>
 *   <li>counters {@code postroom.messages.sent} (duplicates of an idempotency key not counted),
 *       {@code postroom.messages.acked}, {@code postroom.messages.nacked} (failed attempts, not an
 *       operator's retry or cancel) and {@code postroom.messages.dead};</li>
 *   <li>timers {@code postroom.send.to.start} (from the send to the start of the attempt that
 *       settled it) and {@code postroom.handle.duration}, with percentile histograms up to 10
 *       minutes;</li>
 *   <li>gauges {@code postroom.messages} (tag {@code state}: {@code scheduled}, {@code ready},
 *       {@code in_flight}, {@code dead}), read from the store, and
 *       {@code postroom.queue.oldest.ready.age} in seconds: how long the oldest READY message that
 *       no one has leased has waited, 0 when none.</li>
 * </ul>
 * Counters and timers count what this node does; gauges show the whole store (every node of a
 * PostgreSQL cluster). A queue's meters are registered on its first event on this node, or earlier
 * with {@link #registerQueue}.
 *
 * <p>The meters are a {@link MessageListener}: give them to the builder, then {@link #attach} the
 * built {@code Postroom} so that the gauges can read its store.
 * <pre>{@code
 * PostroomMeters meters = new PostroomMeters(registry);
 * Postroom postroom = Postroom.builder().store(store).listener(meters).build();
 * meters.attach(postroom);
 * }</pre>
 *
 * <p>The gauges of every queue share one read of the store's counts: a gauge reads counts at most a
 * second old, and reads them anew (once, for every queue) when they are older. A scrape that wants
 * counts read at its start calls {@link #refreshCounts()} first. Only the gauged states are
 * counted, never SUCCEEDED (most of the rows). Thread-safe.
 */
public final class PostroomMeters implements MessageListener {
    private static final Set<MessageState> GAUGED_STATES =
            EnumSet.of(MessageState.SCHEDULED, MessageState.READY, MessageState.IN_FLIGHT, MessageState.DEAD);
    private static final long MAX_GAUGE_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private final MeterRegistry registry;
    private final Map<String, QueueMeters> queues = new ConcurrentHashMap<>();
    private final Set<String> gauged = ConcurrentHashMap.newKeySet();
    private volatile Postroom postroom;
    private volatile GaugeCounts gaugeCounts;

    /** Counts of the gauged states, read at {@code readAt} (System.nanoTime). */
    private record GaugeCounts(Map<String, StateCounts> counts, long readAt) {
    }

    private record QueueMeters(Counter sent, Counter acked, Counter nacked, Counter dead, Timer sendToStart, Timer handle) {
    }

    /** Meters that register on {@code registry}; gauges read 0 until {@link #attach}. */
    public PostroomMeters(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** The Postroom whose store the gauges read. */
    public void attach(Postroom postroom) {
        this.postroom = Objects.requireNonNull(postroom, "postroom");
    }

    /** The registry the meters are on. */
    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Registers the gauges of {@code queue} now, rather than on its first event on this node; a
     * queue's gauges are registered once, later calls do nothing.
     */
    public void registerQueue(String queue) {
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

    /**
     * Reads the store's counts of the gauged states now, for every queue's gauges: a scrape calls
     * it first, so that its gauges show one consistent read. Without it gauges refresh the counts
     * themselves once they are a second old.
     */
    public void refreshCounts() {
        readCounts();
    }

    private Map<String, StateCounts> readCounts() {
        Postroom p = postroom;
        Map<String, StateCounts> counts = p == null ? Map.of() : p.store().counts(GAUGED_STATES);
        gaugeCounts = new GaugeCounts(counts, System.nanoTime());
        return counts;
    }

    private StateCounts gaugeCounts(String queue) {
        GaugeCounts current = gaugeCounts;
        Map<String, StateCounts> counts = current != null && System.nanoTime() - current.readAt() < MAX_GAUGE_AGE_NANOS
                ? current.counts() : readCounts();
        return counts.get(queue);
    }

    private double count(String queue, MessageState state) {
        if (postroom == null) {
            return 0;
        }
        StateCounts counts = gaugeCounts(queue);
        return counts == null ? 0 : counts.of(state);
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

    private QueueMeters meters(String queue) {
        return queues.computeIfAbsent(queue, q -> {
            registerQueue(q);
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
