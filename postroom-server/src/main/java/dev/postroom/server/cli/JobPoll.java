package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.function.Function;

/** A job the server runs in the background (an erasure, a replay, a re-encryption): its dry run printed, followed until it is no longer RUNNING, its end checked. */
final class JobPoll {
    private static final Duration EVERY = Duration.ofMillis(200);

    private JobPoll() {
    }

    /**
     * A dry run's answer ({@code {count, sample}}) as the command prints it: JSON with {@code --json},
     * else "would VERB n messages; the oldest: …" and {@code nothingDone}.
     */
    static void printPreview(ApiCommand command, JsonNode preview, String verb, String nothingDone) {
        if (command.json()) {
            command.printJson(preview);
            return;
        }
        command.out().printf("would %s %s messages; the oldest: %s%n", verb, ApiCommand.text(preview, "count"),
                preview.path("sample").isEmpty() ? "-" : String.join(", ", preview.path("sample").valueStream().map(JsonNode::asText).toList()));
        command.out().println(nothingDone);
    }

    /** @throws CliException naming the job ({@code what}) and its error unless it SUCCEEDED */
    static void requireSucceeded(JsonNode job, String what) {
        String state = ApiCommand.text(job, "state");
        if (!"SUCCEEDED".equals(state)) {
            throw new CliException(what + " is " + state + (job.path("error").isNull() ? "" : ": " + ApiCommand.text(job, "error")));
        }
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
