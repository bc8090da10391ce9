package dev.postroom;

/**
 * A payload that is already JSON text, stored as it is instead of being serialised again. The
 * caller vouches that {@code json} is valid JSON.
 */
public record RawJson(String json) {
}
