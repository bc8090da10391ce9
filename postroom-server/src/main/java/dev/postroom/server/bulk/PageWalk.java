package dev.postroom.server.bulk;

import dev.postroom.MessagePage;
import dev.postroom.MessageQuery;
import dev.postroom.MessageSummary;
import dev.postroom.Postroom;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Acts on every message a query finds, page by page: the bulk redrives and deletes of the API and
 * the console. Pages follow the cursor, newest first, so the messages changed never shift the
 * pages still to come. A page's matches are acted on together: each change waits for a durable
 * commit, and the store commits concurrent changes as one, so a page costs a few commits, not
 * hundreds.
 */
public final class PageWalk {
    private PageWalk() {
    }

    /** Calls {@code action} with each message {@code query} finds that {@code matches}, concurrently within a page. */
    public static void forEach(Postroom postroom, MessageQuery query, Predicate<MessageSummary> matches, Consumer<MessageSummary> action) {
        MessagePage page;
        do {
            page = postroom.browse(query);
            try (ExecutorService pageWork = Executors.newVirtualThreadPerTaskExecutor()) { // closing waits for the page
                for (MessageSummary message : page.messages()) {
                    if (matches.test(message)) {
                        pageWork.execute(() -> action.accept(message));
                    }
                }
            }
            query = query.withAfter(page.next());
        } while (page.hasNext());
    }
}
