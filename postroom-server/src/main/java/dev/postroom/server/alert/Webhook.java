package dev.postroom.server.alert;

import dev.postroom.server.auth.Scope;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A registered webhook, without its secret (which only {@link WebhookStore#target} hands out, to
 * sign a delivery).
 *
 * @param queues            globs ({@code *} for any run of characters) of the queues whose events it
 *                          hears; empty for every queue. {@code node.down} is not about a queue and
 *                          ignores them
 * @param staleSeconds      how long a queue's oldest READY message waits before {@code queue.stale}
 * @param unconsumedSeconds how long a queue with READY messages sees no consumer before {@code queue.unconsumed}
 */
public record Webhook(String name, String url, Set<AlertEvent> events, List<String> queues, Format format,
                      long staleSeconds, long unconsumedSeconds, Instant createdAt, Instant updatedAt) {

    public Webhook {
        events = Set.copyOf(events);
        queues = List.copyOf(queues);
    }

    /** How a delivery's body is written. */
    public enum Format {
        /** {@code {"event", "at", "queue"?, "messageId"?, "node"?, "summary", "detail"}} */
        JSON,
        /** {@code {"text": "<one readable line>"}}, which a Slack incoming webhook posts as is. */
        SLACK;

        public String wireName() {
            return name().toLowerCase();
        }
    }

    /**
     * Whether this webhook wants {@code event} about {@code queue} (null for events about no queue).
     * Never about {@value WebhookDeliveries#QUEUE}: an alert about deliveries would wait in that same
     * queue, and a dead delivery alerting would loop; the Prometheus rules watch it instead.
     */
    public boolean wants(AlertEvent event, String queue) {
        if (!events.contains(event) || WebhookDeliveries.QUEUE.equals(queue)) {
            return false;
        }
        if (queue == null || queues.isEmpty()) {
            return true;
        }
        return queues.stream().anyMatch(glob -> Scope.globMatches(glob, queue));
    }

    public Duration staleAfter() {
        return Duration.ofSeconds(staleSeconds);
    }

    public Duration unconsumedAfter() {
        return Duration.ofSeconds(unconsumedSeconds);
    }
}
