package dev.postroom.server.activity;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LatencyBucketsTest {
    @Test
    void everyLatencyInRangeIsReportedWithinTenPercent() {
        for (double ms = 1; ms < 40_000; ms *= 1.013) {
            double reported = LatencyBuckets.millis(LatencyBuckets.of((long) (ms * 1_000_000)));
            assertThat(reported).as("%s ms", ms).isCloseTo(ms, within(ms * 0.10));
        }
    }

    @Test
    void bucketsAreOrderedAndBounded() {
        assertThat(LatencyBuckets.of(0)).isZero();
        assertThat(LatencyBuckets.of(999_999)).isZero();
        assertThat(LatencyBuckets.of(1_000_000)).isEqualTo(1);
        assertThat(LatencyBuckets.of(Long.MAX_VALUE)).isEqualTo(LatencyBuckets.COUNT - 1);
        int previous = 0;
        for (long nanos = 1; nanos < Long.MAX_VALUE / 3; nanos *= 3) {
            int bucket = LatencyBuckets.of(nanos);
            assertThat(bucket).isGreaterThanOrEqualTo(previous).isLessThan(LatencyBuckets.COUNT);
            previous = bucket;
        }
    }

    @Test
    void anEmptyHistogramHasNoPercentile() {
        assertThat(LatencyBuckets.percentile(new long[LatencyBuckets.COUNT], 0, 0.5)).isNull();
    }
}
