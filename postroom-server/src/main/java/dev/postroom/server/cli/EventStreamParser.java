package dev.postroom.server.cli;

import java.util.Optional;

/**
 * Turns the lines of a {@code text/event-stream} into events, one line at a time, following the
 * WHATWG rules the server's SSE writer relies on: {@code event:} names the event, several
 * {@code data:} lines are joined with newlines, a blank line dispatches, lines starting with
 * {@code :} are keep-alive comments, and an event without data is dropped. Not thread-safe; one
 * parser per stream.
 */
final class EventStreamParser {
    private String name;
    private StringBuilder data;

    /** Feeds one line (without its line terminator); returns the event this line completed, if any. */
    Optional<ServerSentEvent> accept(String line) {
        if (line.isEmpty()) {
            Optional<ServerSentEvent> event = data == null ? Optional.empty()
                    : Optional.of(new ServerSentEvent(name == null ? "message" : name, data.toString()));
            name = null;
            data = null;
            return event;
        }
        if (line.startsWith(":")) {
            return Optional.empty();
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "event" -> name = value;
            case "data" -> {
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
            }
            default -> {
                // id: and retry: matter for browser reconnects; the CLI does not reconnect.
            }
        }
        return Optional.empty();
    }
}
