package dev.postroom.server.auth;

import dev.postroom.PostroomException;

/**
 * Refuses to remove or demote the only admin: with no admin left, nobody could add users, reset
 * passwords or manage tokens from the console, and the way back would be editing {@code auth.db}.
 */
public final class LastAdminException extends PostroomException {
    private final String username;

    LastAdminException(String username, String action) {
        super("cannot " + action + " " + username + ": there must be at least one admin");
        this.username = username;
    }

    /** The admin the change was refused for. */
    public String username() {
        return username;
    }
}
