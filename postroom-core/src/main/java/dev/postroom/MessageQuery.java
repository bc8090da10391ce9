package dev.postroom;

import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What {@link Postroom#browse} lists. Every filter is optional (null matches everything) and they
 * combine with AND; results come newest first (by id, which is send order).
 * <pre>{@code
 * MessageQuery dead = MessageQuery.builder().queue("refunds").state(MessageState.DEAD).build();
 * MessagePage page = postroom.browse(dead);
 * page.messages().forEach(m -> System.out.println(m.id() + " " + m.lastError()));
 * while (page.hasNext()) {
 *     page = postroom.browse(dead.withAfter(page.next()));
 *     page.messages().forEach(m -> System.out.println(m.id() + " " + m.lastError()));
 * }
 * }</pre>
 * Field names in {@link InvalidMessageException}s are this record's component names.
 *
 * @param queue       only messages of this queue
 * @param state       only messages in this state; IN_FLIGHT means leased right now
 * @param orderingKey only messages with this ordering key
 * @param text        only messages whose payload JSON text, or whose headers' JSON text (names and
 *                    values), contains this substring; ASCII letters match regardless of case. A
 *                    filter no index can answer: see {@link MessagePage} on short pages
 * @param since       only messages enqueued at or after this instant (a store may go by the time in
 *                    the id, which is the enqueue time give or take the moment it took to accept the send)
 * @param until       only messages enqueued before this instant (likewise); must be after {@code since}
 * @param after       the {@link MessagePage#next()} cursor of the previous page; null for the first page
 * @param limit       at most this many messages per page, 1–{@value #MAX_LIMIT}; the builder's default
 *                    is {@value #DEFAULT_LIMIT}
 */
public record MessageQuery(
        String queue,
        MessageState state,
        String orderingKey,
        String text,
        Instant since,
        Instant until,
        String after,
        int limit) {

    /** The page size when none is given. */
    public static final int DEFAULT_LIMIT = 50;
    /** The largest page size. */
    public static final int MAX_LIMIT = 500;
    /** The longest free-text filter, in characters. */
    public static final int MAX_TEXT_CHARS = 1000;

    /** Everything, newest first, {@value #DEFAULT_LIMIT} a page. */
    public static final MessageQuery ALL = builder().build();

    public static Builder builder() {
        return new Builder();
    }

    /** This query continuing after {@code cursor} (a {@link MessagePage#next()}; null: from the start). */
    public MessageQuery withAfter(String cursor) {
        return new MessageQuery(queue, state, orderingKey, text, since, until, cursor, limit);
    }

    /**
     * Parses a state name as the HTTP API spells it ({@code DEAD}; case does not matter).
     *
     * @throws InvalidMessageException for {@code state} when it names no state
     */
    public static MessageState parseState(String name) {
        if (name != null) {
            try {
                return MessageState.valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                // named below
            }
        }
        throw new InvalidMessageException("state", "must be one of "
                + Arrays.stream(MessageState.values()).map(Enum::name).collect(Collectors.joining(", ")) + ", was " + name);
    }

    /** Builder for {@link MessageQuery}; every filter starts unset and the limit at {@value #DEFAULT_LIMIT}. */
    public static final class Builder {
        private String queue;
        private MessageState state;
        private String orderingKey;
        private String text;
        private Instant since;
        private Instant until;
        private String after;
        private int limit = DEFAULT_LIMIT;

        private Builder() {
        }

        public Builder queue(String queue) {
            this.queue = queue;
            return this;
        }

        public Builder state(MessageState state) {
            this.state = state;
            return this;
        }

        public Builder orderingKey(String orderingKey) {
            this.orderingKey = orderingKey;
            return this;
        }

        /** Free-text filter over payload and headers (the HTTP API's {@code q}). */
        public Builder text(String text) {
            this.text = text;
            return this;
        }

        /** Enqueued at or after (inclusive). */
        public Builder since(Instant since) {
            this.since = since;
            return this;
        }

        /** Enqueued before (exclusive). */
        public Builder until(Instant until) {
            this.until = until;
            return this;
        }

        public Builder after(String cursor) {
            this.after = cursor;
            return this;
        }

        /** 1–{@value MessageQuery#MAX_LIMIT}; default {@value MessageQuery#DEFAULT_LIMIT}. */
        public Builder limit(int limit) {
            this.limit = limit;
            return this;
        }

        public MessageQuery build() {
            return new MessageQuery(queue, state, orderingKey, text, since, until, after, limit);
        }
    }
}
