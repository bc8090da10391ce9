package dev.postroom.server.console;

import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.MessageSummary;
import io.javalin.http.Context;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which dead messages a bulk action touches: those of one queue, optionally only one error group
 * (exact {@link ErrorGroup#keyOf key}), text in payload or headers, and an enqueue time range. Kept
 * as the operator typed it so the preview and the action forms carry it unchanged; the store answers
 * every part but the error group, which is matched here over each listed message.
 *
 * @param queue the queue (required)
 * @param group an error group's key, or empty for any error
 * @param text  free text over payload and headers, or empty
 * @param since the earliest enqueue time, or empty
 * @param until the latest enqueue time, or empty
 */
public record DeadLetterFilter(String queue, String group, String text, String since, String until) {
    /** Dead messages listed per store call while scanning: the largest page {@link MessageQuery} allows. */
    static final int PAGE = MessageQuery.MAX_LIMIT;

    /** The filter of a posted form; 400 naming the field when the queue is missing. */
    static DeadLetterFilter from(Context ctx) {
        DeadLetterFilter filter = new DeadLetterFilter(Params.form(ctx, "queue"), Params.form(ctx, "group"), Params.form(ctx, "q"),
                Params.form(ctx, "since"), Params.form(ctx, "until"));
        if (filter.queue.isEmpty()) {
            throw ConsoleException.badRequest("queue: choose the queue whose dead messages to act on.");
        }
        filter.query(); // names a bad time or text before anything runs
        return filter;
    }

    /** The first page of this filter's dead messages, newest first; continue with {@link MessageQuery#withAfter}. */
    MessageQuery query() {
        MessageQuery.Builder query = MessageQuery.builder().queue(queue).state(MessageState.DEAD).limit(PAGE);
        if (!text.isEmpty()) {
            query.text(text);
        }
        if (!since.isEmpty()) {
            query.since(MessageFilter.time("since", since));
        }
        if (!until.isEmpty()) {
            query.until(MessageFilter.time("until", until));
        }
        return query.build();
    }

    /** Whether a message the store listed for {@link #query()} is also in the error group. */
    boolean matches(MessageSummary message) {
        return group.isEmpty() || group.equals(ErrorGroup.keyOf(message.lastError()));
    }

    /** The filter as form fields, for the hidden inputs of the next form. */
    public Map<String, String> fields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("queue", queue);
        fields.put("group", group);
        fields.put("q", text);
        fields.put("since", since);
        fields.put("until", until);
        return fields;
    }

    /** The filter for the audit log: every part, empty ones included, so entries compare field by field. */
    Map<String, Object> detail() {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("queue", queue);
        detail.put("group", group);
        detail.put("text", text);
        detail.put("since", since);
        detail.put("until", until);
        return detail;
    }
}
