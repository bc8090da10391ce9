package dev.postroom;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Options of a batch send ({@link Batches#send}): the message to send once every member has ended,
 * if any.
 * <pre>{@code
 * BatchOptions options = BatchOptions.onComplete("reports", Map.of("report", "refunds-2026-11"))
 *         .withCompletionHeaders(Map.of("tenant", "acme"));
 * }</pre>
 *
 * @param completionQueue   the queue of the completion message, or null for none
 * @param completionPayload its payload (any Jackson-serialisable object, or {@link RawJson}); null is JSON {@code null}
 * @param completionHeaders its headers (the {@code postroom-batch-*} headers are added to them; see {@link Batches})
 */
public record BatchOptions(String completionQueue, Object completionPayload, Map<String, String> completionHeaders) {
    /** No completion message: the batch is only tracked. */
    public static final BatchOptions NONE = new BatchOptions(null, null, Map.of());

    public BatchOptions {
        completionHeaders = completionHeaders == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(completionHeaders));
    }

    /** Sends {@code payload} to {@code queue} once, when every member of the batch has ended. */
    public static BatchOptions onComplete(String queue, Object payload) {
        return new BatchOptions(Objects.requireNonNull(queue, "queue"), payload, Map.of());
    }

    /** These options with the completion message carrying {@code headers}. */
    public BatchOptions withCompletionHeaders(Map<String, String> headers) {
        return new BatchOptions(completionQueue, completionPayload, headers);
    }

    /** Whether a completion message was asked for. */
    public boolean hasCompletion() {
        return completionQueue != null;
    }
}
