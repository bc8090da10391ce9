package dev.postroom.spring;

import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.StateCounts;
import dev.postroom.store.MessageStore;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Health of Postroom's store, as the {@code postroom} health indicator. UP when the store answers
 * a read (the latest message id: one index lookup), DOWN when it does not (closed, or the database
 * is unreachable), with the error, and DOWN with the detail {@code diskFull: true} while the
 * store's disk is full ({@link MessageStore#diskFull()}).
 *
 * <p>Details: {@code staleAfter}, and {@code staleQueues}: each queue whose oldest READY message
 * has waited longer than {@code postroom.health.stale-after}, with that wait and its READY count.
 * A stale queue does not make Postroom DOWN (its handlers may be slow, paused or absent on purpose);
 * alert on it, or on the {@code postroom.queue.oldest.ready.age} gauge. A check costs the read above,
 * one count of READY messages per queue, and one more read per queue that has READY messages.
 */
public class PostroomHealthIndicator extends AbstractHealthIndicator {
    private final Postroom postroom;
    private final Duration staleAfter;

    public PostroomHealthIndicator(Postroom postroom, Duration staleAfter) {
        super("Postroom health check failed");
        this.postroom = Objects.requireNonNull(postroom, "postroom");
        this.staleAfter = Objects.requireNonNull(staleAfter, "staleAfter");
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        MessageStore store = postroom.store();
        store.latestMessageId();
        Instant now = postroom.clock().instant();
        Map<String, Object> stale = new TreeMap<>();
        store.counts(EnumSet.of(MessageState.READY)).forEach((queue, counts) -> {
            if (counts.ready() > 0) {
                store.oldestReady(queue).ifPresent(since -> {
                    Duration waited = since.isBefore(now) ? Duration.between(since, now) : Duration.ZERO;
                    if (waited.compareTo(staleAfter) > 0) {
                        stale.put(queue, staleQueue(waited, counts));
                    }
                });
            }
        });
        // A full disk: writes are refused (StoreFullException) until space is freed, though stored
        // messages are still handed out; DOWN, so that new work goes elsewhere meanwhile.
        (store.diskFull() ? builder.down().withDetail("diskFull", true) : builder.up())
                .withDetail("staleAfter", staleAfter.toString()).withDetail("staleQueues", stale);
    }

    private static Map<String, Object> staleQueue(Duration waited, StateCounts counts) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("oldestReadyAge", waited.toString());
        detail.put("ready", counts.ready());
        return detail;
    }
}
