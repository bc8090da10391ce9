package dev.postroom.bench.rabbitmq;

import org.HdrHistogram.Histogram;

/**
 * A RabbitMQ latency run's result: publish→consumer times, and how many of the {@code total}
 * messages had not reached the consumer when the run stopped waiting.
 */
public record RabbitLatency(Histogram histogram, int total, long undelivered) {
    /** p50, p99, p99.9 and max, worded like Postroom's latency line. */
    public String percentiles() {
        return "send→consumer p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms".formatted(
                histogram.getValueAtPercentile(50) / 1e6, histogram.getValueAtPercentile(99) / 1e6,
                histogram.getValueAtPercentile(99.9) / 1e6, histogram.getMaxValue() / 1e6);
    }
}
