package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code postroom audit}: who did what ({@code GET /api/v1/audit}), newest first, one page at a
 * time. Filters match exactly; {@code --since} and {@code --until} take an RFC 3339 time or an age
 * such as {@code 24h} or {@code 7d}. When there is more, a hint on stderr names the {@code --after}
 * that continues, so that stdout stays just the table.
 */
@Command(name = "audit", sortOptions = false,
        description = "Show operator actions (who did what, when, from where), newest first.")
public final class AuditCommand extends ApiCommand {
    private static final Pattern AGE = Pattern.compile("(\\d{1,6})([smhd])");

    @Option(names = "--actor", paramLabel = "ACTOR", description = "Only this actor, e.g. user:alice or token:ci-bot/Ab12Cd34.")
    String actor;

    @Option(names = "--action", paramLabel = "ACTION", description = "Only this action, e.g. queue.purge.")
    String action;

    @Option(names = "--target", paramLabel = "TARGET", description = "Only this queue, message id, user name or token id.")
    String target;

    @Option(names = "--since", paramLabel = "TIME", description = "Only entries at or after TIME: RFC 3339, or an age such as 30m, 24h, 7d.")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "Only entries before TIME (as for --since).")
    String until;

    @Option(names = "--limit", paramLabel = "N", description = "Entries per page, 1–200 (default: ${DEFAULT-VALUE}).")
    int limit = 50;

    @Option(names = "--after", paramLabel = "CURSOR", description = "Continue after this cursor (printed when there is more).")
    String after;

    /** The clock that ages such as {@code 24h} count back from; tests replace it. */
    InstantSource clock = InstantSource.system();

    @Override
    void execute(ApiClient client) {
        List<String> query = new ArrayList<>();
        add(query, "actor", actor);
        add(query, "action", action);
        add(query, "target", target);
        add(query, "since", time(since));
        add(query, "until", time(until));
        add(query, "after", after);
        query.add("limit=" + limit);
        JsonNode answer = client.get("/api/v1/audit?" + String.join("&", query)).body();
        if (json()) {
            printJson(answer);
            return;
        }
        Table table = new Table().left("AT").left("ACTOR").left("ACTION").left("TARGET").left("ADDRESS").left("DETAIL");
        for (JsonNode entry : answer.path("entries")) {
            String type = text(entry, "targetType");
            String name = text(entry, "target");
            JsonNode detail = entry.path("detail");
            table.row(text(entry, "at"), text(entry, "actor"), text(entry, "action"),
                    name == null ? null : type == null ? name : type + ":" + name, text(entry, "address"),
                    detail.isObject() && !detail.isEmpty() ? detail.toString() : null);
        }
        if (table.isEmpty()) {
            out().println("no entries");
        } else {
            table.print(out());
        }
        String next = text(answer, "next");
        if (next != null) {
            err().println("more entries: repeat with --after " + next);
        }
    }

    private static void add(List<String> query, String name, String value) {
        if (value != null) {
            query.add(name + "=" + ApiClient.segment(value));
        }
    }

    /** An age such as {@code 24h} as the instant that long ago; anything else goes to the server as it is. */
    private String time(String text) {
        if (text == null) {
            return null;
        }
        Matcher age = AGE.matcher(text.strip());
        if (!age.matches()) {
            return text;
        }
        ChronoUnit unit = switch (age.group(2)) {
            case "s" -> ChronoUnit.SECONDS;
            case "m" -> ChronoUnit.MINUTES;
            case "h" -> ChronoUnit.HOURS;
            default -> ChronoUnit.DAYS;
        };
        return clock.instant().minus(Duration.of(Long.parseLong(age.group(1)), unit)).truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
