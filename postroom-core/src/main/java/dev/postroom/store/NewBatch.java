package dev.postroom.store;

/**
 * A batch to store: its row and its members, all or nothing.
 *
 * @param id         UUIDv7 string from {@link dev.postroom.store.MessageIds}
 * @param queue      the queue of every member
 * @param members    the members, validated, stored as {@link MessageStore#send} would store them
 * @param onComplete the completion message asked for, or null
 */
public record NewBatch(String id, String queue, SendBatch members, OnComplete onComplete) {
}
