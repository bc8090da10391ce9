package dev.postroom.store;

import java.time.Instant;

/** An operator action on one message (retry, cancel), with who/why for the timeline. */
public record MessageAction(String id, Instant now, String node, String reason) {
}
