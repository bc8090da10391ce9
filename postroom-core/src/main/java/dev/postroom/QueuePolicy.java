package dev.postroom;

import java.time.Duration;

/**
 * How a queue treats its messages. {@link #DEFAULT}: 5 attempts, {@link Backoff#DEFAULT}, 30 s
 * leases, 64 in flight at once, finished messages kept 24 h, dead ones 7 days, no rate or per-key limits.
 * Validated by {@link Postroom#createQueue}, which throws {@link InvalidMessageException} naming
 * the property and its allowed range.
 *
 * @param maxAttempts         deliveries before a failing message is dead (1–1000)
 * @param backoff             delay between attempts
 * @param lease               default lease (visibility timeout), {@link #MIN_LEASE} to {@link #MAX_LEASE}
 * @param concurrency         at most this many messages of the queue in flight at once, across every
 *                            node of the cluster (1–10000); also the handlers one node runs at once
 * @param retention           how long SUCCEEDED and CANCELLED messages are kept
 * @param deadRetention       how long DEAD messages are kept
 * @param rateLimit           at most this many messages handed out per interval, cluster-wide; null
 *                            (the default) for no rate limit
 * @param perKey              limits per key (a header's value or the ordering key), which also make the
 *                            queue hand out round-robin across keys; null (the default) for none
 * @param maxRun              the longest one attempt may run ({@link #MIN_LEASE}–{@link #MAX_RUN}); past
 *                            it a handler is interrupted and the attempt fails with a timeout error
 *                            (retried or dead as any failure), and a receiver's lease is not extended
 *                            beyond it; null (the default) for no limit
 * @param maxSnoozes          how often one message may be {@linkplain Delivery#snooze snoozed}
 *                            (1–{@link #MAX_SNOOZES}); one more snooze ends it DEAD. Null for the
 *                            default, {@value #DEFAULT_MAX_SNOOZES}; see {@link #snoozeLimit()}
 * @param sensitiveFields     JSON Pointers into the payload (such as {@code /card/number}) whose values
 *                            are shown as {@value Redaction#MASK} to those who may only read (viewers,
 *                            {@code read} tokens); null or empty for none. See {@link Redaction}
 * @param encrypted           whether payloads and results of new messages are stored encrypted (AES-GCM
 *                            with the key given to {@link Postroom.Builder#encryptionKeys}); a queue
 *                            cannot be made encrypted without a key
 * @param archive             how long finished messages are kept in the queue's archive once their
 *                            retention (or dead retention) ends, instead of being deleted
 *                            ({@link #MIN_ARCHIVE}–{@link #MAX_ARCHIVE}); null (the default) for no
 *                            archive. See {@link Postroom#archive()}
 */
public record QueuePolicy(
        int maxAttempts,
        Backoff backoff,
        Duration lease,
        int concurrency,
        Duration retention,
        Duration deadRetention,
        RateLimit rateLimit,
        KeyLimit perKey,
        Duration maxRun,
        Integer maxSnoozes,
        java.util.List<String> sensitiveFields,
        boolean encrypted,
        Duration archive) {

    /** How often a message may be snoozed when the policy does not say. */
    public static final int DEFAULT_MAX_SNOOZES = 100;
    /** The most snoozes a queue may allow one message. */
    public static final int MAX_SNOOZES = 100_000;

    /** The shortest lease a queue, a receive or an extension may ask for. */
    public static final Duration MIN_LEASE = Duration.ofSeconds(1);
    /** The longest lease a queue, a receive or an extension may ask for. */
    public static final Duration MAX_LEASE = Duration.ofHours(12);
    /** The shortest archive a queue may keep. */
    public static final Duration MIN_ARCHIVE = Duration.ofMinutes(1);
    /** The longest archive a queue may keep. */
    public static final Duration MAX_ARCHIVE = Duration.ofDays(3650);
    /** The longest {@link #maxRun} a queue may set. */
    public static final Duration MAX_RUN = Duration.ofDays(7);

    public static final QueuePolicy DEFAULT = new QueuePolicy(
            5, Backoff.DEFAULT, Duration.ofSeconds(30), 64, Duration.ofHours(24), Duration.ofDays(7));

    /** A policy without rate or per-key limits. */
    public QueuePolicy(int maxAttempts, Backoff backoff, Duration lease, int concurrency, Duration retention,
                       Duration deadRetention) {
        this(maxAttempts, backoff, lease, concurrency, retention, deadRetention, null, null, null, null);
    }

    public QueuePolicy {
        // Nulls kept, for the validator to name: List.copyOf would throw without saying which field.
        sensitiveFields = sensitiveFields == null ? java.util.List.of()
                : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(sensitiveFields));
    }

    /** A policy whose messages are stored as sent, not encrypted. */
    public QueuePolicy(int maxAttempts, Backoff backoff, Duration lease, int concurrency, Duration retention,
                       Duration deadRetention, RateLimit rateLimit, KeyLimit perKey, Duration maxRun, Integer maxSnoozes,
                       java.util.List<String> sensitiveFields) {
        this(maxAttempts, backoff, lease, concurrency, retention, deadRetention, rateLimit, perKey, maxRun, maxSnoozes,
                sensitiveFields, false, null);
    }

    /** A policy without an archive. */
    public QueuePolicy(int maxAttempts, Backoff backoff, Duration lease, int concurrency, Duration retention,
                       Duration deadRetention, RateLimit rateLimit, KeyLimit perKey, Duration maxRun, Integer maxSnoozes,
                       java.util.List<String> sensitiveFields, boolean encrypted) {
        this(maxAttempts, backoff, lease, concurrency, retention, deadRetention, rateLimit, perKey, maxRun, maxSnoozes,
                sensitiveFields, encrypted, null);
    }

    /** A policy with no sensitive fields. */
    public QueuePolicy(int maxAttempts, Backoff backoff, Duration lease, int concurrency, Duration retention,
                       Duration deadRetention, RateLimit rateLimit, KeyLimit perKey, Duration maxRun, Integer maxSnoozes) {
        this(maxAttempts, backoff, lease, concurrency, retention, deadRetention, rateLimit, perKey, maxRun, maxSnoozes, null);
    }

    /** A policy with the default snooze limit. */
    public QueuePolicy(int maxAttempts, Backoff backoff, Duration lease, int concurrency, Duration retention,
                       Duration deadRetention, RateLimit rateLimit, KeyLimit perKey, Duration maxRun) {
        this(maxAttempts, backoff, lease, concurrency, retention, deadRetention, rateLimit, perKey, maxRun, null);
    }

    /** A policy without a maximum run time. */
    public QueuePolicy(int maxAttempts, Backoff backoff, Duration lease, int concurrency, Duration retention,
                       Duration deadRetention, RateLimit rateLimit, KeyLimit perKey) {
        this(maxAttempts, backoff, lease, concurrency, retention, deadRetention, rateLimit, perKey, null, null);
    }

    public QueuePolicy withMaxAttempts(int value) {
        return new QueuePolicy(value, backoff, lease, concurrency, retention, deadRetention, rateLimit, perKey, maxRun, maxSnoozes, sensitiveFields, encrypted, archive);
    }

    public QueuePolicy withBackoff(Backoff value) {
        return new QueuePolicy(maxAttempts, value, lease, concurrency, retention, deadRetention, rateLimit, perKey, maxRun, maxSnoozes, sensitiveFields, encrypted, archive);
    }

    public QueuePolicy withLease(Duration value) {
        return new QueuePolicy(maxAttempts, backoff, value, concurrency, retention, deadRetention, rateLimit, perKey, maxRun, maxSnoozes, sensitiveFields, encrypted, archive);
    }

    public QueuePolicy withConcurrency(int value) {
        return new QueuePolicy(maxAttempts, backoff, lease, value, retention, deadRetention, rateLimit, perKey, maxRun, maxSnoozes, sensitiveFields, encrypted, archive);
    }

    public QueuePolicy withRetention(Duration value) {
        return new QueuePolicy(maxAttempts, backoff, lease, concurrency, value, deadRetention, rateLimit, perKey, maxRun, maxSnoozes, sensitiveFields, encrypted, archive);
    }

    public QueuePolicy withDeadRetention(Duration value) {
        return new QueuePolicy(maxAttempts, backoff, lease, concurrency, retention, value, rateLimit, perKey, maxRun, maxSnoozes, sensitiveFields, encrypted, archive);
    }

    /** This policy with a queue rate limit, or none for null. */
    public QueuePolicy withRateLimit(RateLimit value) {
        return new QueuePolicy(maxAttempts, backoff, lease, concurrency, retention, deadRetention, value, perKey, maxRun, maxSnoozes, sensitiveFields, encrypted, archive);
    }

    /** This policy with per-key limits, or none for null. */
    public QueuePolicy withPerKey(KeyLimit value) {
        return new QueuePolicy(maxAttempts, backoff, lease, concurrency, retention, deadRetention, rateLimit, value, maxRun, maxSnoozes, sensitiveFields, encrypted, archive);
    }

    /** This policy with a maximum run time per attempt, or none for null. */
    public QueuePolicy withMaxRun(Duration value) {
        return new QueuePolicy(maxAttempts, backoff, lease, concurrency, retention, deadRetention, rateLimit, perKey, value, maxSnoozes, sensitiveFields, encrypted, archive);
    }

    /** This policy allowing {@code value} snoozes per message, or the default for null. */
    public QueuePolicy withMaxSnoozes(Integer value) {
        return new QueuePolicy(maxAttempts, backoff, lease, concurrency, retention, deadRetention, rateLimit, perKey, maxRun, value, sensitiveFields, encrypted, archive);
    }

    /** This policy masking the payload fields at {@code pointers} (JSON Pointers) for readers; none for null or empty. */
    public QueuePolicy withSensitiveFields(java.util.List<String> pointers) {
        return new QueuePolicy(maxAttempts, backoff, lease, concurrency, retention, deadRetention, rateLimit, perKey, maxRun, maxSnoozes,
                pointers, encrypted, archive);
    }

    /** This policy with new messages' payloads and results stored encrypted, or not. */
    public QueuePolicy withEncrypted(boolean value) {
        return new QueuePolicy(maxAttempts, backoff, lease, concurrency, retention, deadRetention, rateLimit, perKey, maxRun, maxSnoozes,
                sensitiveFields, value, archive);
    }

    /**
     * This policy with finished messages moved to the archive when their retention ends, and kept
     * there for {@code value}; null for none (they are deleted, and the queue's archive emptied).
     */
    public QueuePolicy withArchive(Duration value) {
        return new QueuePolicy(maxAttempts, backoff, lease, concurrency, retention, deadRetention, rateLimit, perKey, maxRun, maxSnoozes,
                sensitiveFields, encrypted, value);
    }

    /** The snoozes one message may take: {@link #maxSnoozes}, or {@value #DEFAULT_MAX_SNOOZES} when it is null. */
    public int snoozeLimit() {
        return maxSnoozes == null ? DEFAULT_MAX_SNOOZES : maxSnoozes;
    }
}
