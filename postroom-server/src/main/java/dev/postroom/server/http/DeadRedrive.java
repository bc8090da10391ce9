package dev.postroom.server.http;

import dev.postroom.IllegalTransitionException;
import dev.postroom.MessageNotFoundException;
import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.server.bulk.PageWalk;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A redrive of only the dead messages that match a filter: each match the {@link PageWalk} finds
 * is retried. A message that left DEAD meanwhile is not counted.
 */
final class DeadRedrive {
    private static final int PAGE = 500;

    private DeadRedrive() {
    }

    /** Redrives the dead messages of {@code queue} that {@code filter} matches; returns how many. */
    static int run(Postroom postroom, String queue, Bodies.RedriveFilter filter) {
        postroom.queue(queue); // 404 for an unknown queue, as for the unfiltered redrive
        MessageQuery.Builder builder = MessageQuery.builder().queue(queue).state(MessageState.DEAD).limit(PAGE);
        if (filter.text() != null) {
            builder.text(filter.text());
        }
        if (filter.orderingKey() != null) {
            builder.orderingKey(filter.orderingKey());
        }
        if (filter.since() != null) {
            builder.since(filter.since());
        }
        if (filter.until() != null) {
            builder.until(filter.until());
        }
        AtomicInteger redriven = new AtomicInteger();
        PageWalk.forEach(postroom, builder.build(),
                message -> message.state() == MessageState.DEAD && errorMatches(filter.error(), message.lastError()),
                message -> retry(postroom, message.id(), redriven));
        return redriven.get();
    }

    private static void retry(Postroom postroom, String id, AtomicInteger redriven) {
        try {
            postroom.retry(id);
            redriven.incrementAndGet();
        } catch (IllegalTransitionException | MessageNotFoundException changedMeanwhile) {
            // retried, purged or deleted by someone else since the page was read: not ours to count
        }
    }

    private static boolean errorMatches(String wanted, String lastError) {
        return wanted == null || lastError != null && lastError.contains(wanted);
    }
}
