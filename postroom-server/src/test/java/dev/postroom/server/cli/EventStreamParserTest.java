package dev.postroom.server.cli;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The SSE line rules the CLI relies on to read {@code GET /api/v1/events}. */
class EventStreamParserTest {

    private static List<ServerSentEvent> parse(String... lines) {
        EventStreamParser parser = new EventStreamParser();
        List<ServerSentEvent> events = new ArrayList<>();
        for (String line : lines) {
            parser.accept(line).ifPresent(events::add);
        }
        return events;
    }

    @Test
    void eventWithoutNameIsCalledMessage() {
        assertThat(parse("data: hello", "")).containsExactly(new ServerSentEvent("message", "hello"));
    }

    @Test
    void dataLinesAreJoinedWithNewlines() {
        assertThat(parse("event: queue", "data: a", "data:b", "")).containsExactly(new ServerSentEvent("queue", "a\nb"));
    }

    @Test
    void commentsIdsAndEventsWithoutDataAreSkipped() {
        assertThat(parse(": keep-alive", "", "event: queue", "id: 7", "", "id: 8", "data: x", ""))
                .containsExactly(new ServerSentEvent("message", "x"));
    }

    @Test
    void eventIsOnlyDispatchedByTheBlankLine() {
        assertThat(parse("event: message", "data: unfinished")).isEmpty();
    }
}
