package dev.postroom.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code postroom send QUEUE PAYLOAD_JSON}: sends one message ({@code POST
 * /api/v1/queues/{queue}/messages}) and prints its id and state. {@code -} as the payload reads it
 * from stdin, so a file or another program's output can be sent as is.
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

    @Option(names = {"-H", "--header"}, paramLabel = "NAME=VALUE", description = "A message header; repeatable.")
    Map<String, String> headers = new LinkedHashMap<>();

    @Option(names = "--ttl", paramLabel = "SECONDS", description = "Dead-letter the message if not delivered within this many seconds.")
    BigDecimal ttlSeconds;

    /** Rejects {@code {"a":1}}} too: by default Jackson would quietly ignore what follows the first value. */
    private static final ObjectReader STRICT = ApiClient.JSON.readerFor(JsonNode.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Where {@code -} reads the payload from; replaced in tests. */
    InputStream stdin = System.in;

    @Override
    void execute(ApiClient client) {
        ObjectNode body = ApiClient.JSON.createObjectNode();
        body.set("payload", parsePayload(payload, stdin));
        if (!headers.isEmpty()) {
            ObjectNode h = body.putObject("headers");
            headers.forEach(h::put);
        }
        if (delaySeconds != null) {
            body.put("delaySeconds", delaySeconds);
        }
        if (priority != null) {
            body.put("priority", priority);
        }
        if (orderingKey != null) {
            body.put("orderingKey", orderingKey);
        }
        if (idempotencyKey != null) {
            body.put("idempotencyKey", idempotencyKey);
        }
        if (ttlSeconds != null) {
            body.put("ttlSeconds", ttlSeconds);
        }
        JsonNode sent = client.post("/api/v1/queues/" + ApiClient.segment(queue) + "/messages", body).body();
        if (json()) {
            printJson(sent);
        } else if (sent.path("duplicate").asBoolean(false)) {
            out().printf("duplicate: already sent as %s to %s (%s)%n", text(sent, "id"), queue, text(sent, "state"));
        } else {
            out().printf("sent %s to %s (%s)%n", text(sent, "id"), queue, text(sent, "state"));
        }
    }

    /** The payload argument as JSON ({@code -} reads it from {@code stdin}); shared with {@code topics publish}. */
    static JsonNode parsePayload(String payload, InputStream stdin) {
        String text = payload;
        if ("-".equals(payload)) {
            try {
                text = new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new CliException("cannot read the payload from stdin: " + e.getMessage());
            }
        }
        try {
            JsonNode node = STRICT.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new CliException("payload is empty; give JSON, e.g. '{\"subject\":\"hi\"}' or '\"text\"'");
            }
            return node;
        } catch (JsonProcessingException e) {
            // Checked here rather than by the server so the user sees where the JSON broke.
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw new CliException("payload is not valid JSON: " + e.getOriginalMessage().replaceAll("\\s+", " ") + where);
        }
    }
}
