package dev.postroom.store;

import dev.postroom.KeyLimit;
import dev.postroom.QueuePolicy;

import java.util.Map;
import java.util.Objects;

/**
 * For store implementations: the limit key a message is stored with (a column the claim of a
 * queue with per-key limits walks, see {@link KeyRoundRobin}). Null for a queue without per-key
 * limits, so such queues pay nothing for the feature; otherwise {@link KeyLimit#keyOf}, never null.
 */
public final class LimitKeys {
    private LimitKeys() {
    }

    /** The key to store with a message sent to a queue of {@code policy}; null when the queue has no per-key limits. */
    public static String of(QueuePolicy policy, Map<String, String> headers, String orderingKey) {
        KeyLimit perKey = policy.perKey();
        return perKey == null ? null : perKey.keyOf(headers, orderingKey);
    }

    /** Whether a policy change alters the queue's rate or per-key limits, so that they count afresh. */
    public static boolean limitsChanged(QueuePolicy before, QueuePolicy after) {
        return !Objects.equals(before.rateLimit(), after.rateLimit()) || !Objects.equals(before.perKey(), after.perKey());
    }

    /**
     * Whether two policies take their messages' keys from the same place, so that a policy change
     * needs no re-keying of the messages waiting (only the limits' numbers changed).
     */
    public static boolean sameSource(QueuePolicy before, QueuePolicy after) {
        KeyLimit a = before == null ? null : before.perKey();
        KeyLimit b = after.perKey();
        if (a == null || b == null) {
            return a == b;
        }
        return Objects.equals(a.header(), b.header());
    }
}
