package dev.postroom.server.activity;

import dev.postroom.MessageState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ActivityTest {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final long MS = 1_000_000;

    /** A clock that moves only when told. */
    private static final class Clock implements InstantSource {
        private final AtomicReference<Instant> now = new AtomicReference<>(START);

        @Override
        public Instant instant() {
            return now.get();
        }

        void advance(Duration by) {
            now.updateAndGet(t -> t.plus(by));
        }
    }

    private final Clock clock = new Clock();
    private final Activity activity = new Activity(clock);

    private void send(String queue, int times) {
        for (int i = 0; i < times; i++) {
            activity.sent(queue, "id-" + i, MessageState.READY, false);
        }
    }

    private void ack(String queue, long latencyNanos) {
        activity.handled(queue, MessageState.SUCCEEDED, latencyNanos, latencyNanos / 2);
        activity.changed(queue, "id", MessageState.SUCCEEDED);
    }

    private static double last(double[] column) {
        return column[column.length - 1];
    }

    @Test
    void countsSentAckedFailedAndDeadInTheSecondTheyHappened() {
        clock.advance(Duration.ofMillis(400));
        send("emails", 3);
        ack("emails", 5 * MS);
        ack("emails", 5 * MS);
        activity.failed("emails", "id", MessageState.SCHEDULED);
        activity.failed("emails", "id", MessageState.DEAD);
        activity.changed("emails", "id", MessageState.DEAD);
        clock.advance(Duration.ofMillis(600));

        Activity.Series series = activity.series("emails", Duration.ofSeconds(10));

        assertThat(series.stepSeconds()).isEqualTo(1);
        assertThat(series.size()).isEqualTo(10);
        assertThat(series.timestamps()[9]).as("the last complete second").isEqualTo(START.getEpochSecond());
        assertThat(series.timestamps()[0]).isEqualTo(START.getEpochSecond() - 9);
        assertThat(last(series.sent())).isEqualTo(3.0);
        assertThat(last(series.acked())).isEqualTo(2.0);
        assertThat(last(series.failed())).isEqualTo(2.0);
        assertThat(last(series.dead())).isEqualTo(1.0);
        assertThat(series.sent()[8]).isZero();
        assertThat(series.p50Millis()[8]).as("no message finished then").isNull();
    }

    @Test
    void theCurrentPartialSecondIsNotAPointYet() {
        send("emails", 1);

        Activity.Series series = activity.series("emails", Duration.ofSeconds(5));

        assertThat(series.timestamps()[4]).isEqualTo(START.getEpochSecond() - 1);
        assertThat(series.sent()).containsOnly(0.0);
    }

    @Test
    void duplicateSendsAndOperatorRetriesAreNotCounted() {
        activity.sent("emails", "id", MessageState.READY, true);
        activity.changed("emails", "id", MessageState.READY);
        activity.changed("emails", "id", MessageState.CANCELLED);
        activity.handled("emails", MessageState.SCHEDULED, 5 * MS, MS);
        clock.advance(Duration.ofSeconds(1));

        Activity.Series series = activity.series("emails", Duration.ofSeconds(1));
        assertThat(series.sent()).containsExactly(0.0);
        assertThat(series.acked()).containsExactly(0.0);
        assertThat(series.p99Millis()).as("an attempt that will be retried is not a finish").containsExactly((Double) null);
    }

    @Test
    void globalSeriesSumsEveryQueueAndEachQueueKeepsItsOwn() {
        send("emails", 2);
        send("refunds", 5);
        clock.advance(Duration.ofSeconds(1));

        assertThat(last(activity.series(null, Duration.ofSeconds(1)).sent())).isEqualTo(7.0);
        assertThat(last(activity.series("emails", Duration.ofSeconds(1)).sent())).isEqualTo(2.0);
        assertThat(last(activity.series("refunds", Duration.ofSeconds(1)).sent())).isEqualTo(5.0);
        assertThat(activity.series(null, Duration.ofSeconds(1)).queue()).isNull();
        assertThat(activity.queues()).containsExactly("emails", "refunds");
    }

    @Test
    void aQueueWithoutActivityHasZeroRatesAndNoLatencies() {
        clock.advance(Duration.ofSeconds(1));

        Activity.Series series = activity.series("quiet", Duration.ofMinutes(1));

        assertThat(series.size()).isEqualTo(60);
        assertThat(series.sent()).containsOnly(0.0);
        assertThat(series.p50Millis()).containsOnlyNulls();
        assertThat(activity.rates("quiet")).isEqualTo(Activity.Rates.ZERO);
        assertThat(activity.latency("quiet", Duration.ofMinutes(1)).count()).isZero();
        assertThat(activity.queues()).as("reading allocates nothing").isEmpty();
    }

    @Test
    void aSecondSlotReusedLaterIsClearedNotAddedTo() {
        send("emails", 5);
        clock.advance(Duration.ofSeconds(905)); // the same slot of the second ring
        send("emails", 1);
        clock.advance(Duration.ofSeconds(1));

        Activity.Series series = activity.series("emails", Duration.ofMinutes(15));

        assertThat(last(series.sent())).isEqualTo(1.0);
        assertThat(series.sent()).as("nothing of 15 minutes ago shows").containsOnly(0.0, 1.0);
    }

    @Test
    void aFiveMinuteSlotReusedADayLaterIsClearedNotAddedTo() {
        send("emails", 60);
        clock.advance(Duration.ofMinutes(290 * 5)); // the same slot of the five-minute ring
        send("emails", 30);
        clock.advance(Duration.ofMinutes(5));

        Activity.Series day = activity.series("emails", Duration.ofHours(24));

        assertThat(day.stepSeconds()).isEqualTo(300);
        assertThat(day.size()).isEqualTo(288);
        assertThat(last(day.sent())).as("30 in five minutes").isEqualTo(0.1);
        assertThat(day.sent()).containsOnly(0.0, 0.1);
    }

    @Test
    void periodsOlderThanAnHourLeaveTheFinerRingsButStayInTheFiveMinuteRing() {
        send("emails", 120);
        clock.advance(Duration.ofHours(2));

        assertThat(activity.series("emails", Duration.ofHours(1)).sent()).containsOnly(0.0);
        Activity.Series day = activity.series("emails", Duration.ofHours(3));
        assertThat(day.sent()).containsOnly(0.0, 0.4);
        int at = IntStream.range(0, day.size()).filter(i -> day.sent()[i] > 0).findFirst().orElseThrow();
        assertThat(day.timestamps()[at]).isEqualTo(START.getEpochSecond());
    }

    @Test
    void theWindowPicksTheResolution() {
        clock.advance(Duration.ofSeconds(7));
        assertThat(activity.series(null, Duration.ofMinutes(15))).satisfies(s -> {
            assertThat(s.stepSeconds()).isEqualTo(1);
            assertThat(s.size()).isEqualTo(900);
        });
        assertThat(activity.series(null, Duration.ofMinutes(16))).satisfies(s -> {
            assertThat(s.stepSeconds()).isEqualTo(10);
            assertThat(s.size()).isEqualTo(96);
            assertThat(s.timestamps()[95]).as("the last complete 10 s").isEqualTo(START.getEpochSecond() - 10);
        });
        assertThat(activity.series(null, Duration.ofHours(1)).size()).isEqualTo(360);
        assertThat(activity.series(null, Duration.ofHours(2))).satisfies(s -> {
            assertThat(s.stepSeconds()).isEqualTo(300);
            assertThat(s.size()).isEqualTo(24);
        });
        assertThat(activity.series(null, Duration.ofHours(24)).size()).isEqualTo(288);
        assertThat(activity.series(null, Duration.ofMillis(1500)).size()).as("rounded up").isEqualTo(2);

        assertThatThrownBy(() -> activity.series(null, Duration.ofHours(25))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("window");
        assertThatThrownBy(() -> activity.series(null, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTenSecondPointSumsItsSecondsAsARatePerSecond() {
        clock.advance(Duration.ofSeconds(20));
        for (int s = 0; s < 10; s++) {
            send("emails", s); // 0 + 1 + ... + 9 = 45 in the 10 s
            clock.advance(Duration.ofSeconds(1));
        }

        Activity.Series series = activity.series("emails", Duration.ofMinutes(30));

        assertThat(last(series.sent())).isEqualTo(4.5);
        assertThat(series.timestamps()[series.size() - 1]).isEqualTo(START.getEpochSecond() + 20);
    }

    @Test
    void percentilesAreWithinTheBucketResolution() {
        List<Long> latencies = new ArrayList<>();
        for (int ms = 1; ms <= 1_000; ms++) {
            latencies.add(ms * MS);
        }
        Collections.shuffle(latencies, new Random(42));
        latencies.forEach(nanos -> ack("emails", nanos));
        clock.advance(Duration.ofSeconds(1));

        Activity.Series series = activity.series("emails", Duration.ofSeconds(1));
        assertThat(series.p50Millis()[0]).isCloseTo(500.0, within(50.0));
        assertThat(series.p95Millis()[0]).isCloseTo(950.0, within(95.0));
        assertThat(series.p99Millis()[0]).isCloseTo(990.0, within(99.0));
        Activity.Latency latency = activity.latency("emails", Duration.ofMinutes(5));
        assertThat(latency.count()).isEqualTo(1_000);
        assertThat(latency.p50Millis()).isEqualTo(series.p50Millis()[0]);
    }

    @Test
    void percentilesOverAWindowMergeTheHistogramsNotThePercentiles() {
        for (int i = 0; i < 99; i++) {
            ack("emails", 2 * MS);
        }
        clock.advance(Duration.ofSeconds(1));
        ack("emails", 400 * MS); // one slow message in a second of its own: its p50 alone would be 400 ms
        clock.advance(Duration.ofSeconds(1));

        Activity.Latency latency = activity.latency("emails", Duration.ofSeconds(10));

        assertThat(latency.count()).isEqualTo(100);
        assertThat(latency.p50Millis()).isCloseTo(2.0, within(0.2));
        assertThat(latency.p99Millis()).isCloseTo(2.0, within(0.2));
        clock.advance(Duration.ofMinutes(5));
        assertThat(activity.latency("emails", Duration.ofHours(2)).p50Millis()).as("five-minute ring").isCloseTo(2.0, within(0.2));
    }

    @Test
    void latenciesOutsideTheBucketRangeLandInTheEndBuckets() {
        ack("emails", 100_000);           // 0.1 ms
        ack("emails", 3_600_000 * MS);    // an hour
        clock.advance(Duration.ofSeconds(1));

        Activity.Latency latency = activity.latency("emails", Duration.ofSeconds(1));

        assertThat(latency.p50Millis()).isEqualTo(0.5);
        assertThat(latency.p99Millis()).isGreaterThan(40_000.0);
    }

    @Test
    void ratesAverageTheLastFiveCompleteSeconds() {
        for (int s = 0; s < 8; s++) {
            send("emails", 10);
            for (int i = 0; i < 4; i++) {
                ack("emails", MS);
            }
            activity.failed("emails", "id", MessageState.READY);
            clock.advance(Duration.ofSeconds(1));
        }
        send("emails", 1_000); // the current second: not in the rates yet

        Activity.Rates rates = activity.rates("emails");

        assertThat(rates.sent()).isEqualTo(10.0);
        assertThat(rates.acked()).isEqualTo(4.0);
        assertThat(rates.failed()).isEqualTo(1.0);
        assertThat(activity.rates(null)).isEqualTo(rates);

        clock.advance(Duration.ofSeconds(2));
        assertThat(activity.rates("emails").sent()).as("(3 x 10 + 1000) / 5").isEqualTo(206.0);
    }

    @Test
    void concurrentRecordingLosesNothing() throws InterruptedException {
        int threads = 8;
        int each = 20_000;
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String queue = "q" + (t % 3);
            running.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < each; i++) {
                    activity.sent(queue, "id", MessageState.READY, false);
                    activity.handled(queue, MessageState.SUCCEEDED, (i % 500 + 1) * MS, MS);
                }
            }));
        }
        for (Thread thread : running) {
            thread.join();
        }
        clock.advance(Duration.ofSeconds(1));

        assertThat(last(activity.series(null, Duration.ofSeconds(1)).sent())).isEqualTo((double) threads * each);
        assertThat(activity.latency(null, Duration.ofSeconds(1)).count()).isEqualTo((long) threads * each);
        double perQueue = 0;
        for (String queue : activity.queues()) {
            perQueue += last(activity.series(queue, Duration.ofSeconds(1)).sent());
        }
        assertThat(perQueue).isEqualTo((double) threads * each);
    }
}
