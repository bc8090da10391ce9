package dev.postroom.server.audit;

import java.time.Instant;

/**
 * One recorded operator action.
 *
 * @param id         grows with every entry and is never reused, also after pruning
 * @param at         when the action was recorded
 * @param actor      who acted: {@code user:alice} for a console user ({@link AuditLog#user}),
 *                   {@code token:ci-bot/Ab12Cd34} for an API token, by name and id ({@link AuditLog#token})
 * @param action     what was done, a dotted verb such as {@code queue.purge} (see {@link AuditLog})
 * @param targetType what kind of thing it was done to: {@code queue}, {@code message}, {@code user}
 *                   or {@code token}; null when the action has no target
 * @param target     the queue name, message id, user name or token id; null with {@code targetType}
 * @param detail     a JSON object with what else is worth knowing (counts, states, the policy set);
 *                   {@code {}} when there is nothing. Never holds a secret
 * @param address    the client's IP address as the server saw it, or null when not known
 */
public record AuditEntry(long id, Instant at, String actor, String action, String targetType, String target,
                         String detail, String address) {
}
