package dev.postroom.micrometer;

import dev.postroom.MessageListener;
import dev.postroom.MessageState;
import dev.postroom.NodeStatus;
import dev.postroom.Postroom;
import dev.postroom.StateCounts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Postroom's meters on a Micrometer {@link MeterRegistry}, per queue (tag {@code queue}), each with
 * a description (Prometheus's help text) and its unit, seconds for times and a count of messages or
 * nodes otherwise:
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
 * and, for the whole node, without a queue tag:
 * <ul>
 *   <li>gauge {@code postroom.nodes} (tag {@code state}: {@code alive}, {@code dead}): the nodes of
 *       the store's registry as {@link Postroom#nodes()} judges them; a node that stopped reporting
 *       in shows as dead on the others until it is forgotten, an hour later;</li>
 *   <li>counter {@code postroom.store.errors} (tag {@code operation}: {@code claim}, {@code settle},
 *       {@code maintenance}, or what the embedding server reports, such as {@code request}): store
 *       operations that failed because the store was unavailable;</li>
 *   <li>gauge {@code postroom.store.full}: 1 while the store's disk is full (writes refused
 *       until space is freed, see {@link dev.postroom.StoreFullException}), 0 otherwise.</li>
 * </ul>
 * Counters are named without a unit suffix (Prometheus adds {@code _total}); a count of messages
 * has no base unit in Prometheus's conventions, and giving one would rename them
 * ({@code postroom_messages_sent_messages_total}). The count is in the description instead.
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
    /** The operations the engine reports to {@link #storeFailed}, registered up front so that a rate reads 0, not nothing. */
    private static final List<String> STORE_OPERATIONS = List.of("claim", "settle", "maintenance");
    private final MeterRegistry registry;
    private final Map<String, Counter> storeErrors = new ConcurrentHashMap<>();
    private final Map<String, QueueMeters> queues = new ConcurrentHashMap<>();
    private final Set<String> gauged = ConcurrentHashMap.newKeySet();
    private volatile Postroom postroom;
    private volatile GaugeCounts gaugeCounts;

    /** Counts of the gauged states and the nodes alive and dead, read at {@code readAt} (System.nanoTime). */
    private record GaugeCounts(Map<String, StateCounts> counts, Map<NodeStatus.State, Long> nodes, long readAt) {
    }

    private record QueueMeters(Counter sent, Counter acked, Counter nacked, Counter dead, Timer sendToStart, Timer handle) {
    }

    /** Meters that register on {@code registry}; gauges read 0 until {@link #attach}. */
    public PostroomMeters(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        for (NodeStatus.State state : NodeStatus.State.values()) {
            Gauge.builder("postroom.nodes", () -> nodes(state))
                    .description("Nodes of the store's registry by state: dead ones stopped reporting in (heartbeat every 5 s, dead after 15 s)")
                    .baseUnit("nodes").tag("state", state.name().toLowerCase()).register(registry);
        }
        STORE_OPERATIONS.forEach(this::storeErrors);
        Gauge.builder("postroom.store.full", () -> storeFull() ? 1 : 0)
                .description("1 while the store's disk is full and writes are refused until space is freed, otherwise 0")
                .register(registry);
    }

    private boolean storeFull() {
        Postroom p = postroom;
        return p != null && p.store().diskFull();
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
                    .description("Messages of the queue in the store, by state: scheduled, ready, in_flight, dead")
                    .baseUnit("messages").tag("queue", queue).tag("state", state.name().toLowerCase()).register(registry);
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

    private GaugeCounts readCounts() {
        Postroom p = postroom;
        GaugeCounts read = p == null ? new GaugeCounts(Map.of(), Map.of(), System.nanoTime())
                : new GaugeCounts(p.store().counts(GAUGED_STATES),
                        p.nodes().stream().collect(Collectors.groupingBy(NodeStatus::state, Collectors.counting())), System.nanoTime());
        gaugeCounts = read;
        return read;
    }

    private GaugeCounts currentCounts() {
        GaugeCounts current = gaugeCounts;
        return current != null && System.nanoTime() - current.readAt() < MAX_GAUGE_AGE_NANOS ? current : readCounts();
    }

    private StateCounts gaugeCounts(String queue) {
        return currentCounts().counts().get(queue);
    }

    private double nodes(NodeStatus.State state) {
        if (postroom == null) {
            return 0;
        }
        return currentCounts().nodes().getOrDefault(state, 0L);
    }

    private Counter storeErrors(String operation) {
        return storeErrors.computeIfAbsent(operation, op -> Counter.builder("postroom.store.errors")
                .description("Store operations of this node that failed because the store was unavailable, by operation")
                .tag("operation", op).register(registry));
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
                    counter("postroom.messages.sent", q, "Messages sent to the queue by this node (a repeated idempotency key not counted)"),
                    counter("postroom.messages.acked", q, "Messages of the queue that succeeded on this node"),
                    counter("postroom.messages.nacked", q, "Failed attempts on this node: a handler threw or a consumer nacked"),
                    counter("postroom.messages.dead", q, "Messages of the queue that became dead letters on this node"),
                    timer("postroom.send.to.start", q, "Time from a message's send to the start of the attempt that settled it"),
                    timer("postroom.handle.duration", q, "Time a handler or pull consumer took over one attempt, lease to settlement"));
        });
    }

    private Counter counter(String name, String queue, String description) {
        return Counter.builder(name).description(description).tag("queue", queue).register(registry);
    }

    private Timer timer(String name, String queue, String description) {
        return Timer.builder(name).description(description).tag("queue", queue).publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
    }

    /** Counts a store operation that failed because the store was unavailable. */
    @Override
    public void storeFailed(String operation) {
        storeErrors(operation).increment();
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
