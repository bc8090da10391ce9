package dev.postroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.InvalidMessageException;
import dev.postroom.KeyLimit;
import dev.postroom.QueuePolicy;
import dev.postroom.RateLimit;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * The limits of a {@code PUT /api/v1/queues/{queue}} body: {@code rateLimit}, {@code perKey},
 * {@code maxRunSeconds} and {@code maxSnoozes} (whose null is the default limit).
 * Like the other fields, one left out keeps what the queue has; unlike them, one may be removed,
 * with an explicit JSON {@code null}, and an object replaces the whole limit (a rate limit needs
 * both {@code count} and {@code perSeconds}). Ranges are the engine's to check.
 */
final class PolicyLimits {
    private PolicyLimits() {
    }

    /** The limit fields the body sets to JSON null ({@code rateLimit}, {@code perKey}): a record cannot tell them from absent ones. */
    static Set<String> nulled(Context ctx, ObjectMapper mapper) throws IOException {
        Set<String> nulled = new HashSet<>();
        byte[] body = ctx.bodyAsBytes();
        if (body.length > 0) {
            JsonNode tree = mapper.readTree(body);
            for (String field : new String[]{"rateLimit", "perKey", "maxRunSeconds", "maxSnoozes", "sensitiveFields", "archiveHours"}) {
                if (tree.has(field) && tree.get(field).isNull()) {
                    nulled.add(field);
                }
            }
        }
        return nulled;
    }

    /** {@code policy} with the body's limits applied. */
    static QueuePolicy merge(QueuePolicy policy, Bodies.QueuePolicy body, Set<String> nulled) {
        if (nulled.contains("rateLimit")) {
            policy = policy.withRateLimit(null);
        } else if (body.rateLimit() != null) {
            policy = policy.withRateLimit(rate("rateLimit", body.rateLimit()));
        }
        if (nulled.contains("maxRunSeconds")) {
            policy = policy.withMaxRun(null);
        } else if (body.maxRunSeconds() != null) {
            policy = policy.withMaxRun(QueueRoutes.seconds("maxRunSeconds", body.maxRunSeconds()));
        }
        if (nulled.contains("maxSnoozes")) {
            policy = policy.withMaxSnoozes(null);
        } else if (body.maxSnoozes() != null) {
            policy = policy.withMaxSnoozes(body.maxSnoozes());
        }
        if (nulled.contains("sensitiveFields")) {
            policy = policy.withSensitiveFields(null);
        } else if (body.sensitiveFields() != null) {
            policy = policy.withSensitiveFields(body.sensitiveFields());
        }
        if (nulled.contains("archiveHours")) {
            policy = policy.withArchive(null);
        }
        if (nulled.contains("perKey")) {
            policy = policy.withPerKey(null);
        } else if (body.perKey() != null) {
            Bodies.PerKey perKey = body.perKey();
            policy = policy.withPerKey(new KeyLimit(perKey.header(), perKey.maxInFlight(),
                    perKey.rateLimit() == null ? null : rate("perKey.rateLimit", perKey.rateLimit())));
        }
        return policy;
    }

    private static RateLimit rate(String field, Bodies.RateLimit body) {
        if (body.count() == null) {
            throw new InvalidMessageException(field + ".count", "is required, e.g. {\"count\": 100, \"perSeconds\": 60}");
        }
        if (body.perSeconds() == null) {
            throw new InvalidMessageException(field + ".perSeconds", "is required, e.g. {\"count\": 100, \"perSeconds\": 60}");
        }
        return new RateLimit(body.count(), QueueRoutes.seconds(field + ".perSeconds", body.perSeconds()));
    }
}
