package dev.postroom;

/**
 * What became of one entry of a batch settle: the message's new state, or the exception that
 * kept it from being settled ({@link MessageNotFoundException}, {@link StaleLeaseException},
 * {@link InvalidMessageException}, …), exactly one of the two non-null. Entries settle on their
 * own: one that fails leaves the others as they went.
 *
 * @param id      the entry's message id
 * @param state   the message's state after the settle, or null when it failed
 * @param failure why the entry was not settled, or null when it was
 */
public record SettleOutcome(String id, MessageState state, PostroomException failure) {
    /** Whether the entry was settled. */
    public boolean settled() {
        return failure == null;
    }
}
