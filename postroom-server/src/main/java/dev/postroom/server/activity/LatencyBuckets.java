package dev.postroom.server.activity;

/**
 * A fixed log-scale bucketing of latencies, small enough to keep one histogram per queue per
 * second. Four buckets per doubling: bucket {@code i >= 1} holds [1 ms x 2^((i-1)/4), 1 ms x
 * 2^(i/4)), so each is about 19% wide and a percentile reported at a bucket's geometric middle is
 * within 10% of the true value. Bucket 0 holds everything under 1 ms, the last everything from
 * about 46 s up: 64 buckets cover 1 ms to 46 s, which is where send-to-finish latencies of a
 * healthy queue fall; beyond that an operator needs the oldest-ready age, not a p99.
 */
final class LatencyBuckets {
    /** How many buckets a histogram has. */
    static final int COUNT = 64;
    private static final double PER_DOUBLING = 4;
    private static final double SCALE = PER_DOUBLING / Math.log(2);
    private static final double ONE_MS = 1_000_000;

    private LatencyBuckets() {
    }

    /** The bucket of a latency in nanoseconds. */
    static int of(long nanos) {
        if (nanos < ONE_MS) {
            return 0;
        }
        int bucket = (int) (Math.log(nanos / ONE_MS) * SCALE) + 1;
        return Math.min(bucket, COUNT - 1);
    }

    /** The latency in milliseconds a bucket stands for: its geometric middle (0.5 ms for bucket 0, the lower bound for the last). */
    static double millis(int bucket) {
        if (bucket == 0) {
            return 0.5;
        }
        double offset = bucket == COUNT - 1 ? 0 : 0.5;
        return Math.pow(2, (bucket - 1 + offset) / PER_DOUBLING);
    }

    /**
     * The {@code quantile} (0..1] of a histogram whose bucket {@code i} count is at {@code
     * counts[from + i]}, in milliseconds; null when it holds nothing.
     */
    static Double percentile(long[] counts, int from, double quantile) {
        long total = 0;
        for (int i = 0; i < COUNT; i++) {
            total += counts[from + i];
        }
        if (total == 0) {
            return null;
        }
        long rank = Math.max(1, (long) Math.ceil(quantile * total));
        long seen = 0;
        for (int i = 0; i < COUNT; i++) {
            seen += counts[from + i];
            if (seen >= rank) {
                return millis(i);
            }
        }
        return millis(COUNT - 1);
    }
}
