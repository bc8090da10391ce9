package dev.postroom.server.auth;

/** A freshly created token: {@code secret} is shown once and never stored. */
public record NewToken(ApiToken token, String secret) {
}
