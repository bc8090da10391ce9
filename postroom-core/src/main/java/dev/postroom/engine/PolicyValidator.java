package dev.postroom.engine;

import dev.postroom.Backoff;
import dev.postroom.InvalidMessageException;
import dev.postroom.KeyLimit;
import dev.postroom.RateLimit;
import dev.postroom.QueuePolicy;

import java.time.Duration;

/** Checks a {@link QueuePolicy} once, when a queue is created or changed, naming the property at fault. */
public final class PolicyValidator {
    private static final Duration MAX_RETENTION = Duration.ofDays(3650);
    /** Stores count rate windows in whole milliseconds. */
    private static final Duration MIN_RATE_INTERVAL = Duration.ofMillis(1);
    private static final Duration MAX_RATE_INTERVAL = Duration.ofDays(1);

    private PolicyValidator() {
    }

    public static QueuePolicy validate(QueuePolicy policy) {
        if (policy == null) {
            throw new InvalidMessageException("policy", "must not be null");
        }
        range("maxAttempts", policy.maxAttempts(), 1, 1000);
        range("concurrency", policy.concurrency(), 1, 10_000);
        Backoff backoff = policy.backoff();
        if (backoff == null) {
            throw new InvalidMessageException("backoff", "must not be null");
        }
        positive("backoff.initial", backoff.initial());
        positive("backoff.max", backoff.max());
        if (backoff.max().compareTo(backoff.initial()) < 0) {
            throw new InvalidMessageException("backoff.max", "must be at least the initial delay");
        }
        if (!(backoff.multiplier() >= 1.0 && backoff.multiplier() <= 100.0)) {
            throw new InvalidMessageException("backoff.multiplier", "must be 1–100, was " + backoff.multiplier());
        }
        lease("lease", policy.lease());
        between("retention", policy.retention(), Duration.ZERO, MAX_RETENTION);
        between("deadRetention", policy.deadRetention(), Duration.ZERO, MAX_RETENTION);
        rate("rateLimit", policy.rateLimit());
        dev.postroom.Redaction.validate(policy.sensitiveFields());
        if (policy.maxSnoozes() != null && (policy.maxSnoozes() < 1 || policy.maxSnoozes() > QueuePolicy.MAX_SNOOZES)) {
            throw new InvalidMessageException("maxSnoozes", "must be 1–" + QueuePolicy.MAX_SNOOZES + ", was " + policy.maxSnoozes());
        }
        if (policy.maxRun() != null && (policy.maxRun().compareTo(QueuePolicy.MIN_LEASE) < 0
                || policy.maxRun().compareTo(QueuePolicy.MAX_RUN) > 0)) {
            throw new InvalidMessageException("maxRun", "must be " + QueuePolicy.MIN_LEASE.toSeconds() + "–"
                    + QueuePolicy.MAX_RUN.toSeconds() + " seconds, was " + seconds(policy.maxRun()));
        }
        if (policy.archive() != null && (policy.archive().compareTo(QueuePolicy.MIN_ARCHIVE) < 0
                || policy.archive().compareTo(QueuePolicy.MAX_ARCHIVE) > 0)) {
            throw new InvalidMessageException("archive", "must be " + QueuePolicy.MIN_ARCHIVE.toMinutes() + " minute to "
                    + QueuePolicy.MAX_ARCHIVE.toHours() + " hours, was " + seconds(policy.archive()) + " s");
        }
        KeyLimit perKey = policy.perKey();
        if (perKey != null) {
            if (perKey.maxInFlight() == null && perKey.rateLimit() == null) {
                throw new InvalidMessageException("perKey", "set maxInFlight, rateLimit or both (or leave perKey out)");
            }
            if (perKey.header() != null) {
                QueueNames.require("perKey.header", perKey.header());
            }
            if (perKey.maxInFlight() != null) {
                range("perKey.maxInFlight", perKey.maxInFlight(), 1, 10_000);
            }
            rate("perKey.rateLimit", perKey.rateLimit());
        }
        return policy;
    }

    private static void rate(String field, RateLimit rate) {
        if (rate != null) {
            range(field + ".count", rate.count(), 1, 1_000_000);
            if (rate.per().compareTo(MIN_RATE_INTERVAL) < 0 || rate.per().compareTo(MAX_RATE_INTERVAL) > 0) {
                throw new InvalidMessageException(field + ".per", "must be 0.001–86400 seconds, was " + rate.per().toNanos() / 1e9);
            }
        }
    }

    private static void range(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new InvalidMessageException(field, "must be " + min + "–" + max + ", was " + value);
        }
    }

    private static void positive(String field, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new InvalidMessageException(field, "must be positive, was " + value);
        }
    }

    /**
     * Checks a lease length, of a queue's policy, a receive or an extension: one rule for all three.
     *
     * @throws InvalidMessageException naming {@code field} when it is not within
     *                                 {@link QueuePolicy#MIN_LEASE}–{@link QueuePolicy#MAX_LEASE}
     */
    public static Duration lease(String field, Duration value) {
        if (value == null || value.compareTo(QueuePolicy.MIN_LEASE) < 0 || value.compareTo(QueuePolicy.MAX_LEASE) > 0) {
            throw new InvalidMessageException(field, "must be " + QueuePolicy.MIN_LEASE.toSeconds() + "–"
                    + QueuePolicy.MAX_LEASE.toSeconds() + " seconds, was " + (value == null ? null : seconds(value)));
        }
        return value;
    }

    /** {@code value} in seconds, as a plain number (milliseconds kept). */
    static String seconds(Duration value) {
        return java.math.BigDecimal.valueOf(value.toMillis(), 3).stripTrailingZeros().toPlainString();
    }

    static void between(String field, Duration value, Duration min, Duration max) {
        if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new InvalidMessageException(field, "must be between " + min + " and " + max + ", was " + value);
        }
    }
}
