package dev.postroom;

import java.time.Duration;
import java.util.Objects;

/**
 * At most {@code count} messages handed out per {@code per}: a queue's or a key's delivery rate,
 * counted cluster-wide by the store. A message held back by a rate limit stays READY (no attempt
 * is counted) and is handed out once the limit allows, in its turn.
 *
 * <p>Counted as a sliding window (the weighted sum of the current and the previous window of
 * length {@code per}, windows aligned to the epoch): no window {@code [k·per, (k+1)·per)} hands
 * out more than {@code count}, and a consumer that keeps asking gets close to {@code count} per
 * {@code per} over time. Validated with the queue's policy: {@code count} 1–1,000,000, {@code per}
 * 1 ms – 1 day.
 * <pre>{@code
 * QueuePolicy.DEFAULT.withRateLimit(RateLimit.perSecond(50))          // 50 per second
 * QueuePolicy.DEFAULT.withRateLimit(new RateLimit(100, Duration.ofMinutes(1)))
 * }</pre>
 *
 * @param count how many per interval
 * @param per   the interval
 */
public record RateLimit(int count, Duration per) {

    public RateLimit {
        Objects.requireNonNull(per, "per");
    }

    /** {@code count} per second. */
    public static RateLimit perSecond(int count) {
        return new RateLimit(count, Duration.ofSeconds(1));
    }
}
