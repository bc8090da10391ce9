package dev.postroom.server.auth;

import java.time.Instant;

/**
 * A console user as listed (never with a password hash).
 *
 * @param username  the sign-in name
 * @param role      what the user may do
 * @param createdAt when the user was added
 */
public record User(String username, Role role, Instant createdAt) {
}
