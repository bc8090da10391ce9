package dev.postroom;

/**
 * Size limits enforced on every send. {@link #DEFAULT}: 256 KiB payloads, 1,000 messages per
 * batch, 64 headers, header values of 4 KiB, keys of 256 characters.
 *
 * @param maxPayloadBytes     UTF-8 bytes of the JSON payload
 * @param maxBatchSize        messages in one batch send
 * @param maxHeaders          entries in a message's headers
 * @param maxHeaderValueChars characters in one header value
 * @param maxKeyChars         characters in an ordering or idempotency key
 */
public record Limits(int maxPayloadBytes, int maxBatchSize, int maxHeaders, int maxHeaderValueChars, int maxKeyChars) {
    public static final Limits DEFAULT = new Limits(256 * 1024, 1000, 64, 4096, 256);

    /**
     * Throws {@link MessageTooLargeException} naming {@code field} when {@code json} is over
     * {@link #maxPayloadBytes} in UTF-8: payloads, and the results stored like them.
     */
    public void requireWithinPayload(String field, String json) {
        int size = json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (size > maxPayloadBytes) {
            throw new MessageTooLargeException(field, size, maxPayloadBytes);
        }
    }
}
