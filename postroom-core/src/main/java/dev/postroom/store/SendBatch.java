package dev.postroom.store;

import java.time.Instant;
import java.util.List;

/** Messages stored all-or-nothing in one transaction. */
public record SendBatch(List<NewMessage> messages, Instant now, String node) {
}
