package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.math.BigDecimal;

/**
 * {@code postroom queues show QUEUE}: one queue's policy, limits included, and its counts
 * ({@code GET /api/v1/queues/{queue}}), one fact per line; the server's JSON with {@code --json}.
 */
@Command(name = "show", sortOptions = false, description = "Show a queue's policy, limits and counts.")
public final class QueueShowCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "QUEUE")
    String queue;

    @Override
    void execute(ApiClient client) {
        JsonNode answer = client.get(QueuesCommand.path(queue)).body();
        if (json()) {
            printJson(answer);
            return;
        }
        JsonNode policy = answer.path("policy");
        JsonNode backoff = policy.path("backoff");
        JsonNode counts = answer.path("counts");
        line("queue", answer.path("name").asText() + (answer.path("paused").asBoolean() ? " (paused)" : ""));
        line("max attempts", policy.path("maxAttempts").asText());
        line("backoff", number(backoff.path("initialSeconds")) + " s, ×" + number(backoff.path("multiplier"))
                + " per attempt, at most " + number(backoff.path("maxSeconds")) + " s");
        line("lease", number(policy.path("leaseSeconds")) + " s");
        line("concurrency", policy.path("concurrency").asText() + " in flight at once, across every node");
        line("rate limit", rate(policy.path("rateLimit")));
        line("per key", perKey(policy.path("perKey")));
        line("retention", number(policy.path("retentionHours")) + " h, dead " + number(policy.path("deadRetentionHours")) + " h");
        line("counts", "scheduled " + counts.path("scheduled").asLong() + ", ready " + counts.path("ready").asLong()
                + ", in flight " + counts.path("inFlight").asLong() + ", succeeded " + counts.path("succeeded").asLong()
                + ", dead " + counts.path("dead").asLong() + ", cancelled " + counts.path("cancelled").asLong());
    }

    private void line(String name, String value) {
        out().printf("%-13s %s%n", name, value);
    }

    private static String rate(JsonNode rate) {
        return rate.isObject() ? rate.path("count").asLong() + " per " + number(rate.path("perSeconds")) + " s" : "none";
    }

    private static String perKey(JsonNode perKey) {
        if (!perKey.isObject()) {
            return "none";
        }
        String key = perKey.path("header").isTextual() ? "header " + perKey.path("header").asText() : "ordering key";
        String limits = perKey.path("maxInFlight").isNumber() ? perKey.path("maxInFlight").asLong() + " in flight" : "";
        if (perKey.path("rateLimit").isObject()) {
            limits += (limits.isEmpty() ? "" : ", ") + rate(perKey.path("rateLimit"));
        }
        return "by " + key + ": " + limits + ", round-robin across keys";
    }

    private static String number(JsonNode value) {
        BigDecimal decimal = value.decimalValue().stripTrailingZeros();
        return decimal.signum() == 0 ? "0" : decimal.toPlainString();
    }
}
