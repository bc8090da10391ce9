package dev.postroom.server.audit;

import java.time.Instant;

/**
 * What {@link AuditLog#browse} lists. Every filter is optional (null matches everything) and they
 * combine with AND; entries come newest first.
 * <pre>{@code
 * AuditQuery purges = AuditQuery.builder().action("queue.purge").target("refunds").build();
 * AuditPage page = audit.browse(purges);
 * while (page.hasNext()) {
 *     page = audit.browse(purges.withAfter(page.next()));
 * }
 * }</pre>
 *
 * @param actor  only entries by exactly this actor, e.g. {@code user:alice}
 * @param action only entries of exactly this action, e.g. {@code queue.pause}
 * @param target only entries on exactly this target (a queue name, message id, user name, token id)
 * @param since  only entries recorded at or after this instant
 * @param until  only entries recorded before this instant; must be after {@code since}
 * @param after  the {@link AuditPage#next()} cursor of the previous page; null for the first page
 * @param limit  at most this many entries per page, 1–{@value #MAX_LIMIT}; the builder's default is
 *               {@value #DEFAULT_LIMIT}
 */
public record AuditQuery(String actor, String action, String target, Instant since, Instant until, String after, int limit) {
    /** The page size when none is given. */
    public static final int DEFAULT_LIMIT = 50;
    /** The largest page size. */
    public static final int MAX_LIMIT = 200;

    /** Everything, newest first, {@value #DEFAULT_LIMIT} a page. */
    public static final AuditQuery ALL = builder().build();

    public static Builder builder() {
        return new Builder();
    }

    /** This query continuing after {@code cursor} (a {@link AuditPage#next()}; null: from the start). */
    public AuditQuery withAfter(String cursor) {
        return new AuditQuery(actor, action, target, since, until, cursor, limit);
    }

    /** Builder for {@link AuditQuery}; every filter starts unset and the limit at {@value #DEFAULT_LIMIT}. */
    public static final class Builder {
        private String actor;
        private String action;
        private String target;
        private Instant since;
        private Instant until;
        private String after;
        private int limit = DEFAULT_LIMIT;

        private Builder() {
        }

        public Builder actor(String actor) {
            this.actor = actor;
            return this;
        }

        public Builder action(String action) {
            this.action = action;
            return this;
        }

        public Builder target(String target) {
            this.target = target;
            return this;
        }

        /** Recorded at or after (inclusive). */
        public Builder since(Instant since) {
            this.since = since;
            return this;
        }

        /** Recorded before (exclusive). */
        public Builder until(Instant until) {
            this.until = until;
            return this;
        }

        public Builder after(String cursor) {
            this.after = cursor;
            return this;
        }

        /** 1–{@value AuditQuery#MAX_LIMIT}; default {@value AuditQuery#DEFAULT_LIMIT}. */
        public Builder limit(int limit) {
            this.limit = limit;
            return this;
        }

        public AuditQuery build() {
            return new AuditQuery(actor, action, target, since, until, after, limit);
        }
    }
}
