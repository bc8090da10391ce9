package dev.postroom.server.alert;

import dev.postroom.InvalidMessageException;

import java.util.Arrays;
import java.util.stream.Collectors;

/** What a webhook can be told about; {@link #wireName()} is how the API and the bodies spell it. */
public enum AlertEvent {
    /** A message went DEAD (out of attempts, expired, or dead-lettered by its handler). One alert per death. */
    MESSAGE_DEAD("message.dead"),
    /** A queue's oldest READY message has waited at least the webhook's {@code staleSeconds}. Once per episode. */
    QUEUE_STALE("queue.stale"),
    /**
     * A queue holds READY messages and none of its messages was in flight, nor did one finish, for
     * the webhook's {@code unconsumedSeconds}: nobody is consuming it. Paused queues are left out.
     * Once per episode.
     */
    QUEUE_UNCONSUMED("queue.unconsumed"),
    /** A node of the cluster missed its heartbeats ({@link dev.postroom.NodeStatus.State#DEAD}). Once per episode. */
    NODE_DOWN("node.down");

    private final String wireName;

    AlertEvent(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Whether the event is about a queue, and so is filtered by a webhook's queue globs. */
    public boolean aboutQueue() {
        return this != NODE_DOWN;
    }

    /**
     * The event spelled {@code name}.
     *
     * @throws InvalidMessageException naming {@code events} for any other text
     */
    public static AlertEvent parse(String name) {
        for (AlertEvent event : values()) {
            if (event.wireName.equals(name)) {
                return event;
            }
        }
        throw new InvalidMessageException("events", "unknown event \"" + (name == null ? "null" : name.length() > 64 ? name.substring(0, 64) + "…" : name)
                + "\"; use " + Arrays.stream(values()).map(AlertEvent::wireName).collect(Collectors.joining(", ")));
    }
}
