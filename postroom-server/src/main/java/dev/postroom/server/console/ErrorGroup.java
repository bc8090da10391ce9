package dev.postroom.server.console;

import dev.postroom.MessageSummary;

import java.time.Instant;

/**
 * Dead messages of one queue that failed the same way: the same {@link #keyOf key} of their last
 * error. The key is the error's first line, since later lines tend to carry ids and stack frames
 * that would split one cause into as many groups as messages.
 *
 * @param key      the group's key, shown and used to filter bulk actions
 * @param count    how many of the examined messages are in it
 * @param newest   when the most recent of them died
 * @param oldest   when the earliest of them died
 * @param sampleId one of them, the newest sent
 */
public record ErrorGroup(String key, long count, Instant newest, Instant oldest, String sampleId) {
    /** The longest key, in characters. */
    static final int MAX_KEY_CHARS = 200;
    /** The key of messages that died without an error message (expired, or failed with none). */
    static final String NO_ERROR = "(no error message)";

    /** The group key of a last error: its first line, trimmed, at most {@value #MAX_KEY_CHARS} characters. */
    static String keyOf(String lastError) {
        if (lastError == null || lastError.isBlank()) {
            return NO_ERROR;
        }
        String line = lastError.strip().lines().findFirst().orElse("").strip();
        if (line.length() <= MAX_KEY_CHARS) {
            return line;
        }
        int end = Character.isHighSurrogate(line.charAt(MAX_KEY_CHARS - 1)) ? MAX_KEY_CHARS - 1 : MAX_KEY_CHARS;
        return line.substring(0, end);
    }

    /** This group with one more message. */
    ErrorGroup with(MessageSummary message) {
        Instant died = message.updatedAt();
        return new ErrorGroup(key, count + 1, newest == null || died.isAfter(newest) ? died : newest,
                oldest == null || died.isBefore(oldest) ? died : oldest, sampleId == null ? message.id() : sampleId);
    }

    /** An empty group for {@code key}, to add messages to. */
    static ErrorGroup empty(String key) {
        return new ErrorGroup(key, 0, null, null, null);
    }
}
