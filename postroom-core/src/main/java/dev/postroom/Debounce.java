package dev.postroom;

import java.time.Duration;

/**
 * Debounce, for bursts such as "re-index the catalogue after edits": a send with a debounce key
 * does not add a message while the key's last one has not started yet; it replaces that message's
 * payload and headers and pushes its start back to {@code window} from now, but never past
 * {@code maxWait} after the send that created it. Once that message is handed out, the next send
 * with the key starts a new one. The send's result then names the message it went into
 * ({@link SendResult#debounced()}).
 *
 * @param key     the debounce key (1–{@link Limits#maxKeyChars()} characters), per queue
 * @param window  how long after the last send the message starts (positive, at most 10 years)
 * @param maxWait the longest a burst may push the start back, from the first send; at least
 *                {@code window}; null for {@value #DEFAULT_MAX_WAIT_WINDOWS} windows
 */
public record Debounce(String key, Duration window, Duration maxWait) {
    /** Without a {@code maxWait}, a burst pushes the start back at most this many windows. */
    public static final int DEFAULT_MAX_WAIT_WINDOWS = 10;

    /** The maximum wait, or its default. */
    public Duration effectiveMaxWait() {
        return maxWait != null ? maxWait : window.multipliedBy(DEFAULT_MAX_WAIT_WINDOWS);
    }
}
