package dev.postroom.server.alert;

import dev.postroom.MessageListener;
import dev.postroom.MessageState;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hears the deaths this node causes (a handler's or receiver's last failed attempt, a dead-letter
 * by hand) and keeps their ids for the {@link AlertMonitor}'s next pass, so that a message that
 * dies long after it was sent is found however many newer messages of its queue are dead; it hears
 * beside the server's own listener ({@link MessageListener#both}). The listener runs on the path that settled
 * the message, so it only appends to a bounded in-memory list: at most {@value #CAPACITY} ids wait,
 * further ones are counted and left to the monitor's scan of each queue's newest dead messages.
 */
public final class DeadLetterFeed implements MessageListener {
    /** A pass every few seconds drains it; more than this many deaths between two passes is a storm the scan also sees. */
    static final int CAPACITY = 10_000;

    /** A death heard: which message of which queue. */
    record Death(String queue, String id) {
    }

    private final Queue<Death> deaths = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicLong overflowed = new AtomicLong();

    @Override
    public void failed(String queue, String id, MessageState state) {
        if (state == MessageState.DEAD && !WebhookDeliveries.QUEUE.equals(queue)) {
            if (size.incrementAndGet() <= CAPACITY) {
                deaths.add(new Death(queue, id));
            } else {
                size.decrementAndGet();
                overflowed.incrementAndGet();
            }
        }
    }

    /** The deaths heard since the last drain, and how many did not fit. */
    List<Death> drain() {
        List<Death> drained = new ArrayList<>();
        Death death;
        while ((death = deaths.poll()) != null) {
            size.decrementAndGet();
            drained.add(death);
        }
        return drained;
    }

    /** How many deaths did not fit since the last call. */
    long overflowed() {
        return overflowed.getAndSet(0);
    }
}
