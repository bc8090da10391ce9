package dev.postroom.server.console;

import dev.postroom.Backoff;
import dev.postroom.InvalidMessageException;
import dev.postroom.QueuePolicy;
import io.javalin.http.Context;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A queue policy as the policy form shows it: every value as text, so that a rejected form comes
 * back exactly as the admin typed it. Field names are the HTTP API's ({@code backoff.initialSeconds},
 * {@code leaseSeconds}, {@code retentionHours}), which are also the names the engine's validation
 * puts in its errors. Parsing only turns text into numbers; ranges are the engine's to check.
 *
 * @param maxAttempts           deliveries before a failing message is dead
 * @param backoffInitialSeconds delay before the first retry, in seconds
 * @param backoffMaxSeconds     the longest delay between attempts, in seconds
 * @param backoffMultiplier     growth of the delay per attempt
 * @param leaseSeconds          the default lease, in seconds
 * @param concurrency           messages of the queue in flight at once
 * @param retentionHours        how long succeeded and cancelled messages are kept, in hours
 * @param deadRetentionHours    how long dead messages are kept, in hours
 * @param maxRunSeconds         the longest one attempt may run, in seconds; empty for no limit
 * @param limits                the rate limit and per-key limits
 */
public record PolicyForm(String maxAttempts, String backoffInitialSeconds, String backoffMaxSeconds, String backoffMultiplier,
                         String leaseSeconds, String concurrency, String retentionHours, String deadRetentionHours,
                         String maxRunSeconds, LimitsForm limits) {

    /** Anything longer does not fit a {@link Duration} in milliseconds; also the HTTP API's bound. */
    private static final BigDecimal MAX_SECONDS = BigDecimal.valueOf(10_000_000_000L);
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
    private static final BigDecimal HOUR = BigDecimal.valueOf(3600);

    static PolicyForm of(QueuePolicy policy) {
        Backoff backoff = policy.backoff();
        return new PolicyForm(String.valueOf(policy.maxAttempts()), seconds(backoff.initial()), seconds(backoff.max()),
                plain(BigDecimal.valueOf(backoff.multiplier())), seconds(policy.lease()), String.valueOf(policy.concurrency()),
                plain(new BigDecimal(seconds(policy.retention())).divide(HOUR, 6, RoundingMode.HALF_UP)),
                plain(new BigDecimal(seconds(policy.deadRetention())).divide(HOUR, 6, RoundingMode.HALF_UP)),
                policy.maxRun() == null ? "" : seconds(policy.maxRun()), LimitsForm.of(policy));
    }

    static PolicyForm from(Context ctx) {
        return new PolicyForm(Params.form(ctx, "maxAttempts"), Params.form(ctx, "backoff.initialSeconds"), Params.form(ctx, "backoff.maxSeconds"),
                Params.form(ctx, "backoff.multiplier"), Params.form(ctx, "leaseSeconds"), Params.form(ctx, "concurrency"),
                Params.form(ctx, "retentionHours"), Params.form(ctx, "deadRetentionHours"), Params.form(ctx, "maxRunSeconds"),
                LimitsForm.from(ctx));
    }

    /**
     * The policy these values describe.
     *
     * @throws InvalidMessageException naming the first field that is not a number of the right kind
     */
    QueuePolicy toPolicy() {
        return limits.applyTo(new QueuePolicy(
                whole("maxAttempts", maxAttempts),
                new Backoff(duration("backoff.initialSeconds", backoffInitialSeconds, BigDecimal.ONE),
                        duration("backoff.maxSeconds", backoffMaxSeconds, BigDecimal.ONE),
                        number("backoff.multiplier", backoffMultiplier).doubleValue()),
                duration("leaseSeconds", leaseSeconds, BigDecimal.ONE),
                whole("concurrency", concurrency),
                duration("retentionHours", retentionHours, HOUR),
                duration("deadRetentionHours", deadRetentionHours, HOUR))
                .withMaxRun(maxRunSeconds.isBlank() ? null : duration("maxRunSeconds", maxRunSeconds.strip(), BigDecimal.ONE)));
    }

    /** The maximum run time as the queue page states it. */
    public String describeMaxRun() {
        return maxRunSeconds.isBlank() ? "no limit" : maxRunSeconds + " s per attempt";
    }

    /** Field name to value, for the audit log. */
    Map<String, Object> values() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("maxAttempts", maxAttempts);
        values.put("backoff.initialSeconds", backoffInitialSeconds);
        values.put("backoff.maxSeconds", backoffMaxSeconds);
        values.put("backoff.multiplier", backoffMultiplier);
        values.put("leaseSeconds", leaseSeconds);
        values.put("concurrency", concurrency);
        values.put("retentionHours", retentionHours);
        values.put("deadRetentionHours", deadRetentionHours);
        values.put("maxRunSeconds", maxRunSeconds);
        limits.addTo(values);
        return values;
    }

    private static int whole(String field, String text) {
        BigDecimal value = number(field, text);
        try {
            return value.intValueExact();
        } catch (ArithmeticException e) {
            throw new InvalidMessageException(field, "must be a whole number in range, was \"" + text + "\"");
        }
    }

    private static Duration duration(String field, String text, BigDecimal unitSeconds) {
        BigDecimal seconds = number(field, text).multiply(unitSeconds);
        if (seconds.abs().compareTo(MAX_SECONDS) > 0) {
            throw new InvalidMessageException(field, "out of range, was \"" + text + "\"");
        }
        return Duration.ofMillis(seconds.multiply(THOUSAND).setScale(0, RoundingMode.HALF_UP).longValueExact());
    }

    private static BigDecimal number(String field, String text) {
        if (text.isEmpty()) {
            throw new InvalidMessageException(field, "is required");
        }
        try {
            BigDecimal value = new BigDecimal(text);
            if (Math.abs(value.scale()) > 100) { // 1e999999999 parses, and would take long to expand
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new InvalidMessageException(field, "must be a number, was \"" + text + "\"");
        }
    }

    private static String seconds(Duration duration) {
        return plain(BigDecimal.valueOf(duration.toMillis()).divide(THOUSAND));
    }

    private static String plain(BigDecimal value) {
        return value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
    }
}
