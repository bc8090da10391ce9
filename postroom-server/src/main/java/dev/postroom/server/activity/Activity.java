package dev.postroom.server.activity;

import dev.postroom.MessageListener;
import dev.postroom.MessageState;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What happened lately, per second: how many messages were sent, acked (SUCCEEDED), failed (an
 * attempt failed, whatever came next) and went DEAD, and how long finished messages took from send
 * to finish, for each queue and for all queues together. Register it as (part of) the engine's
 * {@link MessageListener}; read it with {@link #series} for charts and {@link #rates} for "now".
 * <pre>{@code
 * Activity activity = new Activity(InstantSource.system());
 * Postroom postroom = Postroom.builder().store(store).listener(activity).build();
 * Activity.Series lastHour = activity.series("emails", Duration.ofHours(1)); // 360 points of 10 s
 * Activity.Rates now = activity.rates(null);                                 // all queues
 * }</pre>
 *
 * <p>Three resolutions, each a ring of fixed slots: one-second periods for the last 15 minutes,
 * ten-second periods for the last hour and five-minute periods for the last 24 hours, so that every
 * chart reads one slot per point. A period holds four counters and a 64-bucket latency histogram
 * ({@link LatencyBuckets}: about 19% wide buckets, so percentiles are within 10%), merged when a
 * window spans several periods, so p50, p95 and p99 come out right over any window.
 *
 * <p>Memory is fixed per queue, allocated at the queue's first event and kept for the life of the
 * server: 905 + 362 + 290 slots (each window, the partial period and a little slack) of 280 bytes
 * (68 ints and the period's number), 435,960 bytes, about 0.44 MB per queue that has had any
 * traffic, and as much again for all queues together: 100 busy queues cost about 44 MB.
 *
 * <p>Thread-safe and lock-free on the recording side: an event is two atomic increments per
 * series it counts in (the queue's and the global one, each at both resolutions), with no lock
 * shared between queues; engine threads call it at tens of thousands of events a second. Reads
 * copy the slots they need and never block writers; a point being written while it is read may
 * miss the events of that instant. Times come from the {@link InstantSource} given, to the second.
 */
public final class Activity implements MessageListener {
    /** The longest window {@link #series} answers: what the five-minute ring holds. */
    public static final Duration MAX_WINDOW = Duration.ofHours(24);
    /** Windows up to this long get one point per second. */
    static final Duration SECOND_POINTS_UP_TO = Duration.ofMinutes(15);
    /** Windows up to this long (and longer than {@link #SECOND_POINTS_UP_TO}) get a point per 10 s. */
    static final Duration TEN_SECOND_POINTS_UP_TO = Duration.ofHours(1);
    /** How far back {@link #rates} looks: long enough to smooth one-second jitter, short enough to feel live. */
    static final int RATE_SECONDS = 5;

    /** Counts and latencies at the three resolutions, for one queue or for all. */
    private static final class Track {
        // Each ring holds its longest window's points, the partial one being written, and slack.
        final Ring seconds = new Ring(1, 905);          // 15 minutes of 1-second points
        final Ring tens = new Ring(10, 362);            // an hour of 10-second points
        final Ring fiveMinutes = new Ring(300, 290);    // 24 hours of 5-minute points

        void increment(long epochSecond, int cell) {
            seconds.increment(epochSecond, cell);
            tens.increment(epochSecond, cell);
            fiveMinutes.increment(epochSecond, cell);
        }
    }

    private final InstantSource clock;
    private final Track all = new Track();
    private final ConcurrentHashMap<String, Track> queues = new ConcurrentHashMap<>();

    /** Records on {@code clock}; pass {@link InstantSource#system()} in production. */
    public Activity(InstantSource clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    // ---------------------------------------------------------------- recording (MessageListener)

    @Override
    public void sent(String queue, String id, MessageState state, boolean duplicate) {
        if (!duplicate) {
            record(queue, Ring.SENT);
        }
    }

    @Override
    public void changed(String queue, String id, MessageState state) {
        if (state == MessageState.SUCCEEDED) {
            record(queue, Ring.ACKED);
        } else if (state == MessageState.DEAD) {
            record(queue, Ring.DEAD); // a last failed attempt, or a TTL running out
        }
    }

    @Override
    public void failed(String queue, String id, MessageState next) {
        record(queue, Ring.FAILED);
    }

    /**
     * Records the send-to-finish latency of a message that finished (SUCCEEDED, DEAD or
     * CANCELLED); an attempt that will be retried is not a finish and is not recorded.
     */
    @Override
    public void handled(String queue, MessageState outcome, long nanosSinceSend, long handleNanos) {
        if (outcome == MessageState.SUCCEEDED || outcome == MessageState.DEAD || outcome == MessageState.CANCELLED) {
            record(queue, Ring.LATENCY + LatencyBuckets.of(nanosSinceSend));
        }
    }

    private void record(String queue, int cell) {
        long second = Math.floorDiv(clock.millis(), 1000);
        all.increment(second, cell);
        Track track = queues.get(queue);
        if (track == null) {
            track = queues.computeIfAbsent(queue, q -> new Track());
        }
        track.increment(second, cell);
    }

    // ---------------------------------------------------------------- reading

    /**
     * Per-second rates and latency percentiles of one queue, or of all queues when {@code queue} is
     * null, over the {@code window} that ends with the last complete point (the current, partial
     * second or step is left out, so the last point does not dip). A window up to 15 minutes gets
     * a point per second, up to an hour a point per 10 s, up to 24 hours a point per 5 minutes; a
     * window that is not a whole number of steps is rounded up. A queue without activity gets
     * zero rates and no latencies.
     *
     * @throws IllegalArgumentException when {@code window} is not positive or longer than {@link #MAX_WINDOW}
     */
    public Series series(String queue, Duration window) {
        Points points = points(window);
        Ring ring = ring(queue, points.step());
        long[] timestamps = new long[points.count()];
        double[] sent = new double[points.count()];
        double[] acked = new double[points.count()];
        double[] failed = new double[points.count()];
        double[] dead = new double[points.count()];
        Double[] p50 = new Double[points.count()];
        Double[] p95 = new Double[points.count()];
        Double[] p99 = new Double[points.count()];
        long[] cells = new long[Ring.CELLS];
        int[] scratch = new int[Ring.CELLS];
        double step = points.step();
        for (int p = 0; p < points.count(); p++) {
            long start = points.first() + (long) p * points.step();
            Arrays.fill(cells, 0);
            sum(ring, start, start + points.step(), cells, scratch);
            timestamps[p] = start;
            sent[p] = cells[Ring.SENT] / step;
            acked[p] = cells[Ring.ACKED] / step;
            failed[p] = cells[Ring.FAILED] / step;
            dead[p] = cells[Ring.DEAD] / step;
            p50[p] = LatencyBuckets.percentile(cells, Ring.LATENCY, 0.50);
            p95[p] = LatencyBuckets.percentile(cells, Ring.LATENCY, 0.95);
            p99[p] = LatencyBuckets.percentile(cells, Ring.LATENCY, 0.99);
        }
        return new Series(queue, points.step(), timestamps, sent, acked, failed, dead, p50, p95, p99);
    }

    /**
     * Send-to-finish latency percentiles of one queue (all when null) over the whole {@code
     * window}: the same points {@link #series} would chart, merged.
     *
     * @throws IllegalArgumentException as {@link #series} does
     */
    public Latency latency(String queue, Duration window) {
        Points points = points(window);
        long[] cells = new long[Ring.CELLS];
        sum(ring(queue, points.step()), points.first(), points.end(), cells, new int[Ring.CELLS]);
        long count = 0;
        for (int i = 0; i < LatencyBuckets.COUNT; i++) {
            count += cells[Ring.LATENCY + i];
        }
        return new Latency(count, LatencyBuckets.percentile(cells, Ring.LATENCY, 0.50),
                LatencyBuckets.percentile(cells, Ring.LATENCY, 0.95), LatencyBuckets.percentile(cells, Ring.LATENCY, 0.99));
    }

    /**
     * The current rates of one queue, or of all queues when {@code queue} is null: events per
     * second averaged over the last {@value #RATE_SECONDS} complete seconds.
     */
    public Rates rates(String queue) {
        long now = Math.floorDiv(clock.millis(), 1000);
        long[] cells = new long[Ring.CELLS];
        sum(ring(queue, 1), now - RATE_SECONDS, now, cells, new int[Ring.CELLS]);
        return new Rates((double) cells[Ring.SENT] / RATE_SECONDS, (double) cells[Ring.ACKED] / RATE_SECONDS,
                (double) cells[Ring.FAILED] / RATE_SECONDS, (double) cells[Ring.DEAD] / RATE_SECONDS);
    }

    /** The queues that have had any activity since this started, by name. */
    public Set<String> queues() {
        return new TreeSet<>(queues.keySet());
    }

    /** The points of a chart: {@code count} of {@code step} seconds from {@code first} (epoch seconds) to {@code end}. */
    private record Points(int step, int count, long first, long end) {
    }

    private Points points(Duration window) {
        Objects.requireNonNull(window, "window");
        if (window.isNegative() || window.isZero() || window.compareTo(MAX_WINDOW) > 0) {
            throw new IllegalArgumentException("window must be more than 0 and at most " + MAX_WINDOW + ", was " + window);
        }
        int step = window.compareTo(SECOND_POINTS_UP_TO) <= 0 ? 1 : window.compareTo(TEN_SECOND_POINTS_UP_TO) <= 0 ? 10 : 300;
        long seconds = (window.toMillis() + 999) / 1000;
        int count = (int) ((seconds + step - 1) / step);
        long end = Math.floorDiv(Math.floorDiv(clock.millis(), 1000), step) * step; // where the partial point starts
        return new Points(step, count, end - (long) count * step, end);
    }

    /** The ring a step of {@code step} seconds reads, or null for a queue that has had no activity. */
    private Ring ring(String queue, int step) {
        Track track = queue == null ? all : queues.get(queue);
        return track == null ? null : step == 1 ? track.seconds : step == 10 ? track.tens : track.fiveMinutes;
    }

    /** Adds the cells of every period of {@code ring} in [from, to) epoch seconds to {@code into}. */
    private static void sum(Ring ring, long from, long to, long[] into, int[] scratch) {
        if (ring == null) {
            return;
        }
        for (long s = from; s < to; s += ring.width()) {
            ring.addTo(s, into, scratch);
        }
    }

    // ---------------------------------------------------------------- results

    /**
     * A chart's worth of activity, column by column (what uPlot takes): point {@code i} covers
     * [{@code timestamps[i]}, {@code timestamps[i] + stepSeconds}) in epoch seconds. Rates are
     * events per second over the point; latencies are send-to-finish percentiles in milliseconds of
     * the messages that finished in the point, null where none did.
     *
     * @param queue       the queue, or null for all queues
     * @param stepSeconds the width of each point: 1, 10 or 300
     */
    public record Series(String queue, int stepSeconds, long[] timestamps, double[] sent, double[] acked, double[] failed,
                         double[] dead, Double[] p50Millis, Double[] p95Millis, Double[] p99Millis) {
        /** How many points. */
        public int size() {
            return timestamps.length;
        }
    }

    /** Events per second: sent, acked (SUCCEEDED), failed attempts, and messages gone DEAD. */
    public record Rates(double sent, double acked, double failed, double dead) {
        public static final Rates ZERO = new Rates(0, 0, 0, 0);
    }

    /** Send-to-finish latency percentiles in milliseconds over {@code count} finished messages; null when none finished. */
    public record Latency(long count, Double p50Millis, Double p95Millis, Double p99Millis) {
    }
}
