package dev.postroom.server.console;

import dev.postroom.MessageQuery;
import io.javalin.http.Context;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * The message browser's filters as the operator typed them: kept as text so the form shows them
 * back unchanged, turned into a {@link MessageQuery} (which bounds and validates them) to run.
 * Times are RFC 3339, or a date-time without zone read as UTC (what a browser's date-time input sends).
 *
 * @param queue the queue, or empty for all
 * @param state a state name, or empty for all
 * @param key   an ordering key, or empty
 * @param text  free text over payload and headers, or empty
 * @param since the earliest enqueue time, or empty
 * @param until the latest enqueue time, or empty
 * @param after the paging cursor, or empty for the first page
 */
public record MessageFilter(String queue, String state, String key, String text, String since, String until, String after) {

    static MessageFilter from(Context ctx) {
        return new MessageFilter(Params.query(ctx, "queue"), Params.query(ctx, "state"), Params.query(ctx, "key"), Params.query(ctx, "q"),
                Params.query(ctx, "since"), Params.query(ctx, "until"), Params.query(ctx, "after"));
    }

    MessageQuery query() {
        MessageQuery.Builder query = MessageQuery.builder();
        if (!queue.isEmpty()) {
            query.queue(queue);
        }
        if (!state.isEmpty()) {
            query.state(MessageQuery.parseState(state));
        }
        if (!key.isEmpty()) {
            query.orderingKey(key);
        }
        if (!text.isEmpty()) {
            query.text(text);
        }
        if (!since.isEmpty()) {
            query.since(time("since", since));
        }
        if (!until.isEmpty()) {
            query.until(time("until", until));
        }
        if (!after.isEmpty()) {
            query.after(after);
        }
        return query.build();
    }

    /** The browser URL for these filters with paging cursor {@code cursor} (null for the first page). */
    public String link(String cursor) {
        return link("/console/messages", cursor);
    }

    /** As {@link #link(String)}, for the list at {@code path} (the archive's filters are the same). */
    public String link(String path, String cursor) {
        StringBuilder url = new StringBuilder(path).append("?queue=").append(Format.url(queue))
                .append("&state=").append(Format.url(state)).append("&key=").append(Format.url(key))
                .append("&q=").append(Format.url(text)).append("&since=").append(Format.url(since))
                .append("&until=").append(Format.url(until));
        if (cursor != null) {
            url.append("&after=").append(Format.url(cursor));
        }
        return url.toString();
    }

    /** Whether any filter is set (for the empty-state wording). */
    public boolean isFiltered() {
        return !(queue.isEmpty() && state.isEmpty() && key.isEmpty() && text.isEmpty() && since.isEmpty() && until.isEmpty());
    }

    /** Parses a filter time, or answers 400 naming {@code field}. */
    static Instant time(String field, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException notZoned) {
            try {
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw ConsoleException.badRequest(field + ": \"" + text + "\" is not a time; use e.g. 2026-11-25T17:40:00Z");
            }
        }
    }
}
