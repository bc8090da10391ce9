package dev.postroom.server.cli;

/**
 * One event read from a {@code text/event-stream}.
 *
 * @param name the {@code event:} field, {@code "message"} when the server sent none (per the SSE spec)
 * @param data the {@code data:} lines joined by newlines
 */
record ServerSentEvent(String name, String data) {
}
