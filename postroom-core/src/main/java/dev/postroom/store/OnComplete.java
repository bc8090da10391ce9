package dev.postroom.store;

import java.util.Map;

/**
 * The completion message a batch asked for, as the engine validated it when the batch was sent.
 *
 * @param queue       where to send it
 * @param payloadJson its payload as JSON text
 * @param headers     its headers, without the {@code postroom-batch-*} headers added at completion
 */
public record OnComplete(String queue, String payloadJson, Map<String, String> headers) {
    public OnComplete {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }
}
