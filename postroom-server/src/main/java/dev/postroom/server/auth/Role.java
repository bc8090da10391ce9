package dev.postroom.server.auth;

import dev.postroom.InvalidMessageException;

/** A console user's role: viewer reads, operator acts on messages and queues, admin also manages users, tokens and policies. */
public enum Role {
    VIEWER, OPERATOR, ADMIN;

    public static Role parse(String text) {
        for (Role role : values()) {
            if (role.name().equalsIgnoreCase(text)) {
                return role;
            }
        }
        throw new InvalidMessageException("role", "must be viewer, operator or admin");
    }

    /** Whether this role includes everything {@code other} may do. */
    public boolean includes(Role other) {
        return ordinal() >= other.ordinal();
    }
}
