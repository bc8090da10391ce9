package dev.postroom.store;

/**
 * A message's payload and result to replace, if they are still what was read: how stored bodies
 * are re-encrypted under a new key without losing a write made meanwhile (a debounce, an ack).
 *
 * @param id              the message
 * @param expectedPayload the payload as read
 * @param payload         the payload to store instead
 * @param expectedResult  the result as read, or null for none
 * @param result          the result to store instead, or null for none
 */
public record BodyRewrite(String id, String expectedPayload, String payload, String expectedResult, String result) {
}
