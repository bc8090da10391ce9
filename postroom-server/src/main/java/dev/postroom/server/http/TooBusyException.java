package dev.postroom.server.http;

/** A 429: the client holds too many open requests, or the server too many in all; {@code Retry-After} says when to try. */
public final class TooBusyException extends ApiException {
    private final int retryAfterSeconds;

    public TooBusyException(String detail, int retryAfterSeconds) {
        super(429, "Too many requests", detail, null);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
