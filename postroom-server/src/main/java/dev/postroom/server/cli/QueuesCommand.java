package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postroom.MessageState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code postroom queues create|show|pause|resume|purge|redrive}: queue administration over
 * {@code /api/v1/queues/{queue}}. Each subcommand prints one line saying what happened, or the
 * server's JSON with {@code --json}.
 */
@Command(name = "queues", sortOptions = false,
        description = "Create, pause, resume, purge and redrive queues.",
        subcommands = {QueuesCommand.Create.class, QueueShowCommand.class, QueuesCommand.Pause.class, QueuesCommand.Resume.class,
                QueuesCommand.Purge.class, QueuesCommand.Redrive.class})
public final class QueuesCommand extends GroupCommand {

    static String path(String queue) {
        return "/api/v1/queues/" + ApiClient.segment(queue);
    }

    /** {@code queues create QUEUE [policy options]}: creates the queue or updates its policy ({@code PUT}). */
    @Command(name = "create", sortOptions = false,
            description = "Create a queue, or update its policy if it exists. Options left out keep the server's defaults.")
    public static final class Create extends ApiCommand {
        private static final Pattern RATE = Pattern.compile("(\\d+)/(\\d+(?:\\.\\d+)?)");

        @Parameters(index = "0", paramLabel = "QUEUE", description = "Name: letters, digits, '.', '_', '-' (up to 128).")
        String queue;

        @Option(names = "--max-attempts", paramLabel = "N", description = "Deliveries before a message is dead.")
        Integer maxAttempts;

        @Option(names = "--lease", paramLabel = "SECONDS", description = "How long a receiver holds a message before it is ready again.")
        BigDecimal leaseSeconds;

        @Option(names = "--concurrency", paramLabel = "N", description = "At most this many messages in flight at once.")
        Integer concurrency;

        @Option(names = "--backoff-initial", paramLabel = "SECONDS", description = "Wait before the first retry.")
        BigDecimal backoffInitial;

        @Option(names = "--backoff-max", paramLabel = "SECONDS", description = "Longest wait between retries.")
        BigDecimal backoffMax;

        @Option(names = "--backoff-multiplier", paramLabel = "X", description = "Each retry waits this many times longer.")
        BigDecimal backoffMultiplier;

        @Option(names = "--rate-limit", paramLabel = "COUNT/SECONDS", description = "At most COUNT deliveries per SECONDS, e.g. 100/60.")
        String rateLimit;

        @Option(names = "--per-key-header", paramLabel = "HEADER",
                description = "Per-key limits key on this header's value (default: the ordering key).")
        String perKeyHeader;

        @Option(names = "--max-in-flight-per-key", paramLabel = "N", description = "At most N messages of one key in flight at once.")
        Integer maxInFlightPerKey;

        @Option(names = "--per-key-rate-limit", paramLabel = "COUNT/SECONDS", description = "At most COUNT deliveries of one key per SECONDS.")
        String perKeyRateLimit;

        @Option(names = "--retention-hours", paramLabel = "HOURS", description = "Keep finished messages this long.")
        BigDecimal retentionHours;

        @Override
        void execute(ApiClient client) {
            ObjectNode policy = ApiClient.JSON.createObjectNode();
            if (maxAttempts != null) {
                policy.put("maxAttempts", maxAttempts);
            }
            if (backoffInitial != null || backoffMax != null || backoffMultiplier != null) {
                ObjectNode backoff = policy.putObject("backoff");
                if (backoffInitial != null) {
                    backoff.put("initialSeconds", backoffInitial);
                }
                if (backoffMax != null) {
                    backoff.put("maxSeconds", backoffMax);
                }
                if (backoffMultiplier != null) {
                    backoff.put("multiplier", backoffMultiplier);
                }
            }
            if (leaseSeconds != null) {
                policy.put("leaseSeconds", leaseSeconds);
            }
            if (concurrency != null) {
                policy.put("concurrency", concurrency);
            }
            if (rateLimit != null) {
                policy.set("rateLimit", rate("--rate-limit", rateLimit));
            }
            if (perKeyHeader != null || maxInFlightPerKey != null || perKeyRateLimit != null) {
                ObjectNode perKey = policy.putObject("perKey");
                if (perKeyHeader != null) {
                    perKey.put("header", perKeyHeader);
                }
                if (maxInFlightPerKey != null) {
                    perKey.put("maxInFlight", maxInFlightPerKey);
                }
                if (perKeyRateLimit != null) {
                    perKey.set("rateLimit", rate("--per-key-rate-limit", perKeyRateLimit));
                }
            }
            if (retentionHours != null) {
                policy.put("retentionHours", retentionHours);
            }
            ApiClient.Response response = client.put(path(queue), policy);
            if (json()) {
                printJson(response.body());
            } else {
                out().println((response.status() == 201 ? "created queue " : "updated queue ") + queue);
            }
        }

        private ObjectNode rate(String option, String value) {
            Matcher m = RATE.matcher(value.strip());
            if (!m.matches()) {
                throw new ParameterException(spec.commandLine(),
                        "Invalid value for option '" + option + "': '" + value + "' is not COUNT/SECONDS, e.g. 100/60");
            }
            return ApiClient.JSON.createObjectNode().put("count", Long.parseLong(m.group(1))).put("perSeconds", new BigDecimal(m.group(2)));
        }
    }

    /** {@code queues pause QUEUE}: stops deliveries; sends are still accepted. */
    @Command(name = "pause", sortOptions = false, description = "Stop delivering a queue's messages (sends still accepted).")
    public static final class Pause extends ApiCommand {
        @Parameters(index = "0", paramLabel = "QUEUE")
        String queue;

        @Override
        void execute(ApiClient client) {
            JsonNode answer = client.post(path(queue) + "/pause", ApiClient.JSON.createObjectNode()).body();
            if (json()) {
                printJson(answer);
            } else {
                out().println("paused " + queue);
            }
        }
    }

    /** {@code queues resume QUEUE}: delivers again after a pause. */
    @Command(name = "resume", sortOptions = false, description = "Deliver a paused queue's messages again.")
    public static final class Resume extends ApiCommand {
        @Parameters(index = "0", paramLabel = "QUEUE")
        String queue;

        @Override
        void execute(ApiClient client) {
            JsonNode answer = client.post(path(queue) + "/resume", ApiClient.JSON.createObjectNode()).body();
            if (json()) {
                printJson(answer);
            } else {
                out().println("resumed " + queue);
            }
        }
    }

    /**
     * {@code queues purge QUEUE --state S...}: deletes the queue's messages in the given states. The
     * states are required, not defaulted to "all": purging is irreversible, so the user names what goes.
     */
    @Command(name = "purge", sortOptions = false,
            description = "Delete a queue's messages in the given states (irreversible).")
    public static final class Purge extends ApiCommand {
        @Parameters(index = "0", paramLabel = "QUEUE")
        String queue;

        @Option(names = {"-s", "--state"}, required = true, split = ",", paramLabel = "STATE", converter = StateConverter.class,
                description = "scheduled, ready, in-flight, succeeded, dead or cancelled; repeatable or comma-separated.")
        List<MessageState> states = new ArrayList<>();

        @Override
        void execute(ApiClient client) {
            ObjectNode body = ApiClient.JSON.createObjectNode();
            ArrayNode names = body.putArray("states");
            new LinkedHashSet<>(states).forEach(s -> names.add(s.name()));
            JsonNode answer = client.post(path(queue) + "/purge", body).body();
            if (json()) {
                printJson(answer);
            } else {
                out().println("purged " + answer.path("purged").asLong() + " messages from " + queue);
            }
        }
    }

    /** {@code queues redrive QUEUE}: moves the queue's dead messages back to ready, for another set of attempts. */
    @Command(name = "redrive", sortOptions = false, description = "Move a queue's dead messages back to ready.")
    public static final class Redrive extends ApiCommand {
        @Parameters(index = "0", paramLabel = "QUEUE")
        String queue;

        @Override
        void execute(ApiClient client) {
            JsonNode answer = client.post(path(queue) + "/redrive", ApiClient.JSON.createObjectNode()).body();
            if (json()) {
                printJson(answer);
            } else {
                out().println("redrove " + answer.path("redriven").asLong() + " dead messages in " + queue + " to ready");
            }
        }
    }
}
