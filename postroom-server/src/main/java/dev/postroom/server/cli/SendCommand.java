package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.InputStream;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code postroom send QUEUE PAYLOAD_JSON}: sends one message ({@code POST
 * /api/v1/queues/{queue}/messages}) and prints its id and state. {@code -} as the payload reads it
 * from stdin, so a file or another program's output can be sent as is. With {@code --wait SECONDS}
 * it is a request: it waits for a handler to finish the message and prints the handler's result.
 */
@Command(name = "send", sortOptions = false,
        description = "Send one message to a queue.")
public final class SendCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "QUEUE", description = "The queue to send to; it must exist.")
    String queue;

    @Parameters(index = "1", paramLabel = "PAYLOAD_JSON", description = "The payload as JSON, e.g. '{\"subject\":\"hi\"}'; - reads it from stdin.")
    String payload;

    @Option(names = "--priority", paramLabel = "0-9", description = "Higher is delivered first (server default 0).")
    Integer priority;

    @Option(names = "--delay", paramLabel = "SECONDS", description = "Deliver no sooner than this many seconds from now.")
    BigDecimal delaySeconds;

    @Option(names = "--ordering-key", paramLabel = "KEY", description = "Messages with the same key are delivered one at a time, in order.")
    String orderingKey;

    @Option(names = "--idempotency-key", paramLabel = "KEY", description = "A repeat with the same key returns the first message instead of sending again.")
    String idempotencyKey;

    @Option(names = "--unique-key", paramLabel = "KEY",
            description = "Refuse the send (naming the holder) while an unfinished message of the queue has this key.")
    String uniqueKey;

    @Option(names = "--debounce-key", paramLabel = "KEY",
            description = "Go into the key's message that has not started yet, replacing its payload and pushing its start back; needs --debounce.")
    String debounceKey;

    @Option(names = "--debounce", paramLabel = "SECONDS", description = "The debounce window: the message starts this long after the last send.")
    BigDecimal debounceSeconds;

    @Option(names = "--debounce-max-wait", paramLabel = "SECONDS",
            description = "The longest a burst may push the start back (server default: 10 windows).")
    BigDecimal debounceMaxWaitSeconds;

    @Option(names = {"-H", "--header"}, paramLabel = "NAME=VALUE", description = "A message header; repeatable.")
    Map<String, String> headers = new LinkedHashMap<>();

    @Option(names = "--ttl", paramLabel = "SECONDS", description = "Dead-letter the message if not delivered within this many seconds.")
    BigDecimal ttlSeconds;

    @Option(names = "--wait", paramLabel = "SECONDS",
            description = "Wait up to this long for a handler to finish the message and print its result (request-reply); "
                    + "fails if the message dies, is cancelled, or is not finished in time.")
    BigDecimal waitSeconds;

    /** Where {@code -} reads the payload from; replaced in tests. */
    InputStream stdin = System.in;

    @Override
    void execute(ApiClient client) {
        ObjectNode body = MessageArguments.message(MessageArguments.payload(payload, stdin, MessageArguments.MESSAGE_EXAMPLE),
                headers, delaySeconds, priority, orderingKey, idempotencyKey, ttlSeconds);
        if (uniqueKey != null) {
            body.put("uniqueKey", uniqueKey);
        }
        if (debounceKey != null || debounceSeconds != null || debounceMaxWaitSeconds != null) {
            if (debounceKey == null || debounceSeconds == null) {
                throw new CliException("--debounce-key and --debounce go together (--debounce-max-wait is optional)");
            }
            body.put("debounceKey", debounceKey);
            body.put("debounceSeconds", debounceSeconds);
            if (debounceMaxWaitSeconds != null) {
                body.put("debounceMaxWaitSeconds", debounceMaxWaitSeconds);
            }
        }
        JsonNode sent = client.post("/api/v1/queues/" + ApiClient.segment(queue) + "/messages", body).body();
        if (waitSeconds != null) {
            printResult(client, text(sent, "id"));
            return;
        }
        if (json()) {
            printJson(sent);
        } else if (sent.path("duplicate").asBoolean(false)) {
            out().printf("duplicate: already sent as %s to %s (%s)%n", text(sent, "id"), queue, text(sent, "state"));
        } else if (sent.path("debounced").asBoolean(false)) {
            out().printf("debounced into %s in %s (%s)%n", text(sent, "id"), queue, text(sent, "state"));
        } else {
            out().printf("sent %s to %s (%s)%n", text(sent, "id"), queue, text(sent, "state"));
        }
    }

    /** Waits for the message's final state: its result on success (the whole message with --json), else a failure. */
    private void printResult(ApiClient client, String id) {
        JsonNode m = client.get("/api/v1/messages/" + ApiClient.segment(id) + "?waitSeconds=" + waitSeconds.toPlainString(),
                ApiClient.timeoutFor(waitSeconds)).body();
        String state = text(m, "state");
        if ("SUCCEEDED".equals(state)) {
            if (json()) {
                printJson(m);
            } else {
                out().println(m.path("result").isMissingNode() ? "null" : m.path("result").toString());
            }
            return;
        }
        if ("DEAD".equals(state) || "CANCELLED".equals(state)) {
            JsonNode errors = m.path("errors");
            String last = errors.isEmpty() ? "" : ": " + text(errors.get(errors.size() - 1), "message");
            throw new CliException("message " + id + " ended " + state + last);
        }
        throw new CliException("message " + id + " is still " + state + " after " + waitSeconds.toPlainString()
                + " s; follow it with: postroom messages get " + id + " --wait SECONDS");
    }
}
