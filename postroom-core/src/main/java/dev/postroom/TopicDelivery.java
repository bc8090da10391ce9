package dev.postroom;

/**
 * The copy of a published message that one subscription received.
 *
 * @param subscription the subscription's name
 * @param queue        the queue the copy was stored in
 * @param id           the copy's message id
 * @param state        the state it was stored in ({@code READY} or {@code SCHEDULED}), or, for a
 *                     duplicate, the earlier message's state
 * @param duplicate    true when the queue already held a message with the publish's idempotency
 *                     key; {@code id} is then that message's
 */
public record TopicDelivery(String subscription, String queue, String id, MessageState state, boolean duplicate) {
}
