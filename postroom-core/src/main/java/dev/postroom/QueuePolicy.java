package dev.postroom;

import java.time.Duration;

/**
 * How a queue treats its messages. {@link #DEFAULT}: 5 attempts, {@link Backoff#DEFAULT}, 30 s
 * leases, 64 concurrent handlers per node, finished messages kept 24 h, dead ones 7 days.
 * Validated by {@link Postroom#createQueue}, which throws {@link InvalidMessageException} naming
 * the property and its allowed range.
 *
 * @param maxAttempts         deliveries before a failing message is dead (1–1000)
 * @param backoff             delay between attempts
 * @param lease               default lease (visibility timeout), 1 s – 12 h
 * @param concurrency         at most this many messages of the queue in flight at once (1–10000)
 * @param retention           how long SUCCEEDED and CANCELLED messages are kept
 * @param deadRetention       how long DEAD messages are kept
 */
public record QueuePolicy(
        int maxAttempts,
        Backoff backoff,
        Duration lease,
        int concurrency,
        Duration retention,
        Duration deadRetention) {

    public static final QueuePolicy DEFAULT = new QueuePolicy(
            5, Backoff.DEFAULT, Duration.ofSeconds(30), 64, Duration.ofHours(24), Duration.ofDays(7));

    public QueuePolicy withMaxAttempts(int value) {
        return new QueuePolicy(value, backoff, lease, concurrency, retention, deadRetention);
    }

    public QueuePolicy withBackoff(Backoff value) {
        return new QueuePolicy(maxAttempts, value, lease, concurrency, retention, deadRetention);
    }

    public QueuePolicy withLease(Duration value) {
        return new QueuePolicy(maxAttempts, backoff, value, concurrency, retention, deadRetention);
    }

    public QueuePolicy withConcurrency(int value) {
        return new QueuePolicy(maxAttempts, backoff, lease, value, retention, deadRetention);
    }

    public QueuePolicy withRetention(Duration value) {
        return new QueuePolicy(maxAttempts, backoff, lease, concurrency, value, deadRetention);
    }

    public QueuePolicy withDeadRetention(Duration value) {
        return new QueuePolicy(maxAttempts, backoff, lease, concurrency, retention, value);
    }
}
