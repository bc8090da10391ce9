package dev.postroom.store;

import dev.postroom.MessageState;

/** What a send stored, or the earlier message it duplicated. */
public record SendOutcome(String id, MessageState state, boolean duplicate) {
}
