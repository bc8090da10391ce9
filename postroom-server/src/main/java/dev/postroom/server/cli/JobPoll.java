package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.function.Function;

/** Follows a job the server runs in the background (an erasure, a replay, a re-encryption) until it is no longer RUNNING. */
final class JobPoll {
    private static final Duration EVERY = Duration.ofMillis(200);

    private JobPoll() {
    }

    /**
     * Reads {@code path} again while the job's state, which {@code job} finds in an answer, is
     * RUNNING and {@code timeoutSeconds} have not passed; the last answer.
     *
     * @param what names the job in the error when waiting is interrupted
     */
    static JsonNode untilEnded(ApiClient client, JsonNode first, String path, Function<JsonNode, JsonNode> job, BigDecimal timeoutSeconds,
                               String what) {
        long deadline = System.nanoTime() + Duration.ofMillis(timeoutSeconds.movePointRight(3).longValue()).toNanos();
        JsonNode answer = first;
        while ("RUNNING".equals(job.apply(answer).path("state").asText()) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(EVERY);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException("interrupted while waiting for " + what);
            }
            answer = client.get(path).body();
        }
        return answer;
    }
}
