package dev.postroom.server.auth;

import java.time.Instant;
import java.util.List;

/** An API token as listed (never with its secret). */
public record ApiToken(String id, String name, List<Scope> scopes, Instant createdAt, Instant lastUsedAt) {

    /** Whether any of the token's scopes grants {@code wanted} on {@code queue}. */
    public boolean grants(Scope.Kind wanted, String queue) {
        return scopes.stream().anyMatch(s -> s.grants(wanted, queue));
    }

    /** Whether one of the token's scopes grants {@code wanted} on every queue, whatever its name ({@code admin}, {@code receive:*}). */
    public boolean grantsOnEveryQueue(Scope.Kind wanted) {
        return scopes.stream().anyMatch(s -> s.grantsOnEveryQueue(wanted));
    }
}
