package dev.postroom.server.http;

import dev.postroom.IllegalTransitionException;
import dev.postroom.MessageNotFoundException;
import dev.postroom.MessagePage;
import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.MessageSummary;
import dev.postroom.Postroom;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A redrive of only the dead messages that match a filter: the queue's dead messages are walked
 * page by page (newest first, by cursor, so the ones changed never shift the pages to come) and
 * each match is retried. A page's retries run together, so one durable commit covers many. A
 * message that left DEAD meanwhile is not counted.
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
        MessageQuery query = builder.build();
        AtomicInteger redriven = new AtomicInteger();
        MessagePage page;
        do {
            page = postroom.browse(query);
            try (ExecutorService pageWork = Executors.newVirtualThreadPerTaskExecutor()) { // closing waits for the page
                for (MessageSummary message : page.messages()) {
                    if (message.state() == MessageState.DEAD && errorMatches(filter.error(), message.lastError())) {
                        pageWork.execute(() -> retry(postroom, message.id(), redriven));
                    }
                }
            }
            query = query.withAfter(page.next());
        } while (page.hasNext());
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
