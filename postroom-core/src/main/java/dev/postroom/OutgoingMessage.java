package dev.postroom;

/**
 * One entry of a batch send: a payload (any Jackson-serialisable object) and its options.
 */
public record OutgoingMessage(Object payload, SendOptions options) {
    public OutgoingMessage {
        options = options == null ? SendOptions.DEFAULTS : options;
    }

    /** A message with default options. */
    public static OutgoingMessage of(Object payload) {
        return new OutgoingMessage(payload, SendOptions.DEFAULTS);
    }
}
