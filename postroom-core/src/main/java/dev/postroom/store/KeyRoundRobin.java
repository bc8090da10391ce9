package dev.postroom.store;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * For store implementations: picks the messages of one claim of a queue with per-key limits
 * ({@link dev.postroom.KeyLimit}), round-robin across keys instead of in the queue's order, so that
 * a flood on one key cannot hold back another key's messages. The store supplies its keys in a
 * stable order (the keys with READY messages, each after the one before), each key's next
 * deliverable messages, and how many more each key may have now; the walk starts after the key the
 * previous claim ended on (the cursor, which the store keeps) and goes round once at most.
 *
 * <p>One message per key per round: a claim of {@code max} takes the head of up to {@code max}
 * keys before it takes a second message of any key. The walk visits at most {@code maxVisits}
 * keys, so a claim's cost stays bounded when many keys are at their limit; the next claim goes on
 * from where this one stopped.
 */
public final class KeyRoundRobin {
    private KeyRoundRobin() {
    }

    /**
     * What the store answers while a claim walks its keys.
     *
     * @param <C> the store's candidate row
     * @param <E> the exception its reads throw
     */
    public interface Keys<C, E extends Exception> {
        /** The smallest key greater than {@code key} with a READY message, the smallest such key for null, or null when none. */
        String after(String key) throws E;

        /** How many more messages of {@code key} may be handed out now (per-key in-flight cap and rate); at least 0. */
        int allowance(String key) throws E;

        /** Up to {@code max} deliverable messages of {@code key}, in the queue's order (priority, then age). */
        List<C> heads(String key, int max) throws E;
    }

    /**
     * What a claim picked.
     *
     * @param rows   the messages to lease, in the order handed out
     * @param keys   the key of each message of {@code rows}
     * @param cursor where the next claim starts: the key of the last message picked, or the cursor
     *               given if nothing was picked
     */
    public record Pick<C>(List<C> rows, List<String> keys, String cursor) {
    }

    /** Picks up to {@code max} messages, walking keys from after {@code cursor} (from the first key when null). */
    public static <C, E extends Exception> Pick<C> pick(Keys<C, E> keys, String cursor, int max, int maxVisits) throws E {
        Map<String, List<C>> byKey = new LinkedHashMap<>();
        Set<String> visited = new HashSet<>();
        String key = cursor;
        boolean wrapped = cursor == null;
        while (byKey.size() < max && visited.size() < maxVisits) {
            String next = keys.after(key);
            if (next == null) {
                if (wrapped) {
                    break;
                }
                wrapped = true;
                key = null;
                continue;
            }
            if (!visited.add(next)) {
                break; // round once: every key with messages had its turn
            }
            key = next;
            int allowed = Math.min(keys.allowance(next), max);
            if (allowed > 0) {
                List<C> heads = keys.heads(next, allowed);
                if (!heads.isEmpty()) {
                    byKey.put(next, heads);
                }
            }
        }
        List<C> rows = new ArrayList<>(max);
        List<String> rowKeys = new ArrayList<>(max);
        String last = cursor;
        for (int round = 0; rows.size() < max; round++) {
            boolean any = false;
            for (Map.Entry<String, List<C>> entry : byKey.entrySet()) {
                if (round < entry.getValue().size() && rows.size() < max) {
                    rows.add(entry.getValue().get(round));
                    rowKeys.add(entry.getKey());
                    last = entry.getKey();
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        return new Pick<>(rows, rowKeys, last);
    }
}
