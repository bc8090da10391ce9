package dev.postroom.server.console;

import dev.postroom.InvalidMessageException;
import dev.postroom.server.alert.WebhookSpec;

import java.util.List;

/**
 * The console's webhook form as typed, shown back unchanged on a refusal.
 *
 * @param queues globs separated by spaces or commas, or empty for every queue
 */
public record WebhookForm(String name, String url, List<String> events, String queues, String format, String staleSeconds,
                          String unconsumedSeconds, boolean rotateSecret) {
    static final WebhookForm EMPTY = new WebhookForm("", "", List.of(), "", "json", "", "", false);

    public boolean has(String event) {
        return events.contains(event);
    }

    WebhookSpec spec() {
        List<String> globs = queues.isBlank() ? List.of() : List.of(queues.trim().split("[\\s,]+"));
        return WebhookSpec.of(name, url.isBlank() ? null : url.trim(), events, globs, format, seconds("staleSeconds", staleSeconds),
                seconds("unconsumedSeconds", unconsumedSeconds));
    }

    private static Long seconds(String field, String text) {
        if (text.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new InvalidMessageException(field, "must be a whole number of seconds");
        }
    }
}
