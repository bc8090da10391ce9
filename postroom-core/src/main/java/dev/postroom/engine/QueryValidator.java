package dev.postroom.engine;

import dev.postroom.InvalidMessageException;
import dev.postroom.Limits;
import dev.postroom.MessageQuery;
import dev.postroom.store.BrowseCursor;

/**
 * Checks a {@link MessageQuery} before any store sees it, naming the field at fault by its Java
 * name. Whether the queue exists is the caller's check.
 */
public final class QueryValidator {
    private QueryValidator() {
    }

    public static MessageQuery validate(MessageQuery query, Limits limits) {
        if (query == null) {
            throw new InvalidMessageException("query", "must not be null");
        }
        if (query.limit() < 1 || query.limit() > MessageQuery.MAX_LIMIT) {
            throw new InvalidMessageException("limit", "must be 1–" + MessageQuery.MAX_LIMIT + ", was " + query.limit());
        }
        if (query.queue() != null) {
            QueueNames.require("queue", query.queue());
        }
        String key = query.orderingKey();
        if (key != null && (key.isEmpty() || key.length() > limits.maxKeyChars())) {
            throw new InvalidMessageException("orderingKey", "must be 1–" + limits.maxKeyChars() + " characters, was " + key.length());
        }
        String text = query.text();
        if (text != null && (text.isEmpty() || text.length() > MessageQuery.MAX_TEXT_CHARS)) {
            throw new InvalidMessageException("text", "must be 1–" + MessageQuery.MAX_TEXT_CHARS + " characters, was " + text.length());
        }
        if (query.since() != null && query.until() != null && !query.since().isBefore(query.until())) {
            throw new InvalidMessageException("until", "must be after since (" + query.since() + "), was " + query.until());
        }
        if (query.after() != null) {
            BrowseCursor.decode(query.after());
        }
        return query;
    }
}
