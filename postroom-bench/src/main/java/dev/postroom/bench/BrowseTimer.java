package dev.postroom.bench;

import dev.postroom.MessagePage;
import dev.postroom.MessageQuery;
import dev.postroom.Postroom;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Times {@link Postroom#browse} the way the console calls it: one page at a time, on the caller's
 * thread, each query repeated a few times (the first call reads cold pages; the median is the
 * usual case, the max the worst seen). Deep pages are reached the only way the API allows, by
 * following each page's {@link MessagePage#next()} cursor from the first page.
 */
final class BrowseTimer {
    private final Postroom postroom;
    private final int repeats;

    BrowseTimer(Postroom postroom, int repeats) {
        this.postroom = postroom;
        this.repeats = repeats;
    }

    /** Median and max of {@code repeats} calls of {@code work}, in milliseconds. */
    record Times(double[] millis) {
        double median() {
            double[] sorted = millis.clone();
            Arrays.sort(sorted);
            return sorted[(sorted.length - 1) / 2];
        }

        double max() {
            return Arrays.stream(millis).max().orElse(Double.NaN);
        }

        @Override
        public String toString() {
            StringBuilder each = new StringBuilder();
            for (double m : millis) {
                each.append(each.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", m));
            }
            return String.format(Locale.ROOT, "median %.1f ms, max %.1f ms (each: %s)", median(), max(), each);
        }
    }

    /** One page of {@code query}; also prints how many messages it held and whether a next page exists. */
    Times page(String name, MessageQuery query) {
        MessagePage[] last = new MessagePage[1];
        Times times = time(() -> last[0] = postroom.browse(query));
        System.out.printf("browse %s: %d messages on the page, next page %s; %s%n",
                name, last[0].messages().size(), last[0].hasNext() ? "yes" : "no", times);
        return times;
    }

    /**
     * Page {@code number} of {@code query} reached from the first page by following the cursors
     * ({@code number} calls), timed as a whole; then page {@code number} alone, fetched again with
     * the cursor the walk ended with, timed apart. Returns both.
     */
    Times[] deepPage(String name, MessageQuery query, int number) {
        Walk[] walk = new Walk[1];
        Times reach = time(() -> (walk[0] = walk(query, number)).page());
        MessageQuery deep = query.withAfter(walk[0].cursor());
        MessagePage[] alone = new MessagePage[1];
        Times fetch = time(() -> alone[0] = postroom.browse(deep));
        System.out.printf("browse %s, page %,d reached by its cursors (%,d calls, %,d messages listed): %s%n",
                name, number, number, walk[0].listed(), reach);
        System.out.printf("browse %s, page %,d alone, its cursor in hand (%d messages): %s%n",
                name, number, alone[0].messages().size(), fetch);
        return new Times[] {reach, fetch};
    }

    /** Where a walk ended: the last page, the cursor that fetched it, and the messages listed on the way. */
    private record Walk(MessagePage page, String cursor, long listed) {
    }

    private Walk walk(MessageQuery query, int number) {
        String cursor = null;
        MessagePage page = postroom.browse(query);
        long listed = page.messages().size();
        for (int n = 2; n <= number; n++) {
            if (!page.hasNext()) {
                throw new IllegalStateException("only " + (n - 1) + " pages: " + query);
            }
            cursor = page.next();
            page = postroom.browse(query.withAfter(cursor));
            listed += page.messages().size();
        }
        return new Walk(page, cursor, listed);
    }

    private Times time(Supplier<MessagePage> work) {
        double[] millis = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long start = System.nanoTime();
            work.get();
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        return new Times(millis);
    }
}
