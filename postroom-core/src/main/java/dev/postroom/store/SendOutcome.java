package dev.postroom.store;

import dev.postroom.MessageState;

/**
 * What a send stored, or the earlier message it duplicated ({@code duplicate}) or was debounced
 * into ({@code debounced}: that message took this send's payload and its new start).
 */
public record SendOutcome(String id, MessageState state, boolean duplicate, boolean debounced) {
    /** A send that was not debounced. */
    public SendOutcome(String id, MessageState state, boolean duplicate) {
        this(id, state, duplicate, false);
    }
}
