package dev.postroom;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Which finished messages a {@linkplain Replays replay} sends again: those of {@code queue}, live
 * or archived, that match every other condition given.
 *
 * @param queue       the queue they were sent to (required)
 * @param state       SUCCEEDED, DEAD or CANCELLED; null for any of the three
 * @param since       enqueued at or after this instant, or null
 * @param until       enqueued before this instant, or null
 * @param text        payload or headers contain this text (case-insensitive), or null
 * @param orderingKey with this ordering key, or null
 */
public record ReplayFilter(String queue, MessageState state, Instant since, Instant until, String text, String orderingKey) {
    private static final Set<MessageState> FINISHED = EnumSet.of(MessageState.SUCCEEDED, MessageState.DEAD, MessageState.CANCELLED);

    /** Every finished message of {@code queue}. */
    public static ReplayFilter of(String queue) {
        return new ReplayFilter(queue, null, null, null, null, null);
    }

    public ReplayFilter withState(MessageState value) {
        return new ReplayFilter(queue, value, since, until, text, orderingKey);
    }

    public ReplayFilter between(Instant from, Instant to) {
        return new ReplayFilter(queue, state, from, to, text, orderingKey);
    }

    public ReplayFilter withText(String value) {
        return new ReplayFilter(queue, state, since, until, value, orderingKey);
    }

    public ReplayFilter withOrderingKey(String value) {
        return new ReplayFilter(queue, state, since, until, text, value);
    }

    /** The states it selects, in the order a replay walks them. */
    List<MessageState> states() {
        return state == null ? List.of(MessageState.SUCCEEDED, MessageState.DEAD, MessageState.CANCELLED) : List.of(state);
    }

    /** The same conditions as a browse of one state. */
    MessageQuery query(MessageState of, int limit) {
        return MessageQuery.builder().queue(queue).state(of).since(since).until(until).text(text).orderingKey(orderingKey).limit(limit).build();
    }

    /** @throws InvalidMessageException naming {@code filter.queue} or {@code filter.state} */
    void validate() {
        if (queue == null) {
            throw new InvalidMessageException("filter.queue", "is required");
        }
        if (state != null && !FINISHED.contains(state)) {
            throw new InvalidMessageException("filter.state", "must be SUCCEEDED, DEAD or CANCELLED (only finished messages are replayed), was " + state);
        }
    }
}
