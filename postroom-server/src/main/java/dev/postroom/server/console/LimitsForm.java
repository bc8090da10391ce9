package dev.postroom.server.console;

import dev.postroom.InvalidMessageException;
import dev.postroom.KeyLimit;
import dev.postroom.QueuePolicy;
import dev.postroom.RateLimit;
import io.javalin.http.Context;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;

/**
 * The limits part of the policy form: the queue's rate limit and its per-key limits, every value as
 * text, empty for "none". Field names are the HTTP API's ({@code rateLimit.count}, {@code
 * perKey.maxInFlight}, ...), which are also the names the engine's validation puts in its errors.
 * The per-key limits exist when any of their numbers is filled in; an empty {@code perKey.header}
 * then means the ordering key.
 *
 * @param rateCount          messages per interval for the whole queue, or empty
 * @param ratePerSeconds     the queue rate's interval in seconds, or empty
 * @param keyHeader          the header whose value is the key, or empty for the ordering key
 * @param keyMaxInFlight     messages of one key in flight at once, or empty
 * @param keyRateCount       messages per interval for one key, or empty
 * @param keyRatePerSeconds  the key rate's interval in seconds, or empty
 */
public record LimitsForm(String rateCount, String ratePerSeconds, String keyHeader, String keyMaxInFlight,
                         String keyRateCount, String keyRatePerSeconds) {
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
    /** The HTTP API's bound on a number of seconds. */
    private static final BigDecimal MAX_SECONDS = BigDecimal.valueOf(10_000_000_000L);

    static LimitsForm of(QueuePolicy policy) {
        RateLimit rate = policy.rateLimit();
        KeyLimit perKey = policy.perKey();
        RateLimit keyRate = perKey == null ? null : perKey.rateLimit();
        return new LimitsForm(rate == null ? "" : String.valueOf(rate.count()), rate == null ? "" : seconds(rate.per()),
                perKey == null || perKey.header() == null ? "" : perKey.header(),
                perKey == null || perKey.maxInFlight() == null ? "" : String.valueOf(perKey.maxInFlight()),
                keyRate == null ? "" : String.valueOf(keyRate.count()), keyRate == null ? "" : seconds(keyRate.per()));
    }

    static LimitsForm from(Context ctx) {
        return new LimitsForm(Params.form(ctx, "rateLimit.count"), Params.form(ctx, "rateLimit.perSeconds"),
                Params.form(ctx, "perKey.header"), Params.form(ctx, "perKey.maxInFlight"),
                Params.form(ctx, "perKey.rateLimit.count"), Params.form(ctx, "perKey.rateLimit.perSeconds"));
    }

    /**
     * {@code policy} with these limits.
     *
     * @throws InvalidMessageException naming the first field that is not a number of the right kind,
     *                                 or half of a rate limit without the other half
     */
    QueuePolicy applyTo(QueuePolicy policy) {
        RateLimit rate = rate("rateLimit", rateCount, ratePerSeconds);
        KeyLimit perKey = null;
        RateLimit keyRate = rate("perKey.rateLimit", keyRateCount, keyRatePerSeconds);
        if (!keyMaxInFlight.isEmpty() || keyRate != null) {
            perKey = new KeyLimit(keyHeader.isEmpty() ? null : keyHeader,
                    keyMaxInFlight.isEmpty() ? null : whole("perKey.maxInFlight", keyMaxInFlight), keyRate);
        } else if (!keyHeader.isEmpty()) {
            throw new InvalidMessageException("perKey", "set a per-key maximum in flight or rate limit for the key header, or clear it");
        }
        return policy.withRateLimit(rate).withPerKey(perKey);
    }

    /** Field name to value, for the audit log. */
    void addTo(Map<String, Object> values) {
        values.put("rateLimit.count", rateCount);
        values.put("rateLimit.perSeconds", ratePerSeconds);
        values.put("perKey.header", keyHeader);
        values.put("perKey.maxInFlight", keyMaxInFlight);
        values.put("perKey.rateLimit.count", keyRateCount);
        values.put("perKey.rateLimit.perSeconds", keyRatePerSeconds);
    }

    /** How the queue page states the limits, e.g. "100 per 60 s; per tenant: 2 in flight, 5 per 1 s". */
    public String describe() {
        StringBuilder text = new StringBuilder(rateCount.isEmpty() ? "no rate limit" : rateCount + " per " + ratePerSeconds + " s");
        if (!keyMaxInFlight.isEmpty() || !keyRateCount.isEmpty()) {
            text.append("; per ").append(keyHeader.isEmpty() ? "ordering key" : "header " + keyHeader).append(": ");
            if (!keyMaxInFlight.isEmpty()) {
                text.append(keyMaxInFlight).append(" in flight");
            }
            if (!keyRateCount.isEmpty()) {
                text.append(keyMaxInFlight.isEmpty() ? "" : ", ").append(keyRateCount).append(" per ").append(keyRatePerSeconds).append(" s");
            }
            text.append(", handed out round-robin across keys");
        }
        return text.toString();
    }

    private static RateLimit rate(String field, String count, String perSeconds) {
        if (count.isEmpty() && perSeconds.isEmpty()) {
            return null;
        }
        if (count.isEmpty()) {
            throw new InvalidMessageException(field + ".count", "is required with " + field + ".perSeconds");
        }
        if (perSeconds.isEmpty()) {
            throw new InvalidMessageException(field + ".perSeconds", "is required with " + field + ".count");
        }
        BigDecimal seconds = number(field + ".perSeconds", perSeconds);
        if (seconds.abs().compareTo(MAX_SECONDS) > 0) {
            throw new InvalidMessageException(field + ".perSeconds", "out of range, was \"" + perSeconds + "\"");
        }
        return new RateLimit(whole(field + ".count", count),
                Duration.ofMillis(seconds.multiply(THOUSAND).setScale(0, RoundingMode.HALF_UP).longValueExact()));
    }

    private static int whole(String field, String text) {
        try {
            return number(field, text).intValueExact();
        } catch (ArithmeticException e) {
            throw new InvalidMessageException(field, "must be a whole number in range, was \"" + text + "\"");
        }
    }

    private static BigDecimal number(String field, String text) {
        try {
            BigDecimal value = new BigDecimal(text);
            if (Math.abs(value.scale()) > 100) { // as PolicyForm: 1e999999999 parses, and would take long to expand
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new InvalidMessageException(field, "must be a number, was \"" + text + "\"");
        }
    }

    private static String seconds(Duration duration) {
        BigDecimal value = BigDecimal.valueOf(duration.toMillis()).divide(THOUSAND);
        return value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
    }
}
