package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code postroom erase}: removes every message matching a filter ({@code POST /api/v1/erasures}),
 * after a dry run by default: without {@code --yes} it only counts and lists a sample.
 */
@Command(name = "erase", sortOptions = false,
        description = "Erase every message (any queue, any state) with an ordering key, header or payload field: "
                + "counts first; --yes erases and waits for the end.")
public final class EraseCommand extends ApiCommand {
    @Option(names = "--ordering-key", paramLabel = "KEY", description = "Messages with this ordering key.")
    String orderingKey;

    @Option(names = {"-H", "--header"}, paramLabel = "NAME=VALUE", description = "Messages with this header value; repeatable.")
    Map<String, String> headers = new LinkedHashMap<>();

    @Option(names = "--payload", paramLabel = "POINTER=VALUE", description = "Messages whose payload holds VALUE at the JSON Pointer, e.g. /customer/id=7.")
    String payload;

    @Option(names = "--yes", description = "Erase (without it: a dry run that changes nothing).")
    boolean yes;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "How long to wait for the erasure to end (default 300).")
    BigDecimal timeoutSeconds = BigDecimal.valueOf(300);

    @Override
    void execute(ApiClient client) {
        ObjectNode body = ApiClient.JSON.createObjectNode();
        ObjectNode filter = body.putObject("filter");
        if (orderingKey != null) {
            filter.put("orderingKey", orderingKey);
        }
        if (!headers.isEmpty()) {
            ObjectNode h = filter.putObject("headers");
            headers.forEach(h::put);
        }
        if (payload != null) {
            int equals = payload.indexOf('=');
            if (equals < 1) {
                throw new CliException("--payload takes POINTER=VALUE, e.g. /customer/id=7");
            }
            filter.putObject("payload").put("pointer", payload.substring(0, equals)).put("value", payload.substring(equals + 1));
        }
        if (!yes) {
            body.put("dryRun", true);
            JobPoll.printPreview(this, client.post("/api/v1/erasures", body).body(), "erase",
                    "nothing was erased; run again with --yes to erase them");
            return;
        }
        JsonNode erasure = client.post("/api/v1/erasures", body).body();
        String id = text(erasure, "id");
        erasure = JobPoll.untilEnded(client, erasure, "/api/v1/erasures/" + ApiClient.segment(id), job -> job, timeoutSeconds, "erasure " + id);
        if (json()) {
            printJson(erasure);
        } else {
            out().printf("erasure %s %s: %s of %s matching messages erased%n", id, text(erasure, "state"), text(erasure, "erased"),
                    text(erasure, "matched"));
        }
        JobPoll.requireSucceeded(erasure, "erasure " + id);
    }
}
