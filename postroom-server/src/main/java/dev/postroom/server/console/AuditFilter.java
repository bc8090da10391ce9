package dev.postroom.server.console;

import dev.postroom.server.audit.AuditQuery;
import io.javalin.http.Context;

/**
 * The audit page's filters as typed, see {@link MessageFilter} for the conventions.
 *
 * @param actor  exact actor, e.g. {@code user:alice}, or empty
 * @param action exact action, e.g. {@code queue.purge}, or empty
 * @param target exact target (queue name, message id, user name), or empty
 * @param since  earliest time, or empty
 * @param until  latest time, or empty
 * @param after  paging cursor, or empty
 */
public record AuditFilter(String actor, String action, String target, String since, String until, String after) {

    static AuditFilter from(Context ctx) {
        return new AuditFilter(Params.query(ctx, "actor"), Params.query(ctx, "action"), Params.query(ctx, "target"),
                Params.query(ctx, "since"), Params.query(ctx, "until"), Params.query(ctx, "after"));
    }

    AuditQuery query() {
        AuditQuery.Builder query = AuditQuery.builder();
        if (!actor.isEmpty()) {
            query.actor(actor);
        }
        if (!action.isEmpty()) {
            query.action(action);
        }
        if (!target.isEmpty()) {
            query.target(target);
        }
        if (!since.isEmpty()) {
            query.since(MessageFilter.time("since", since));
        }
        if (!until.isEmpty()) {
            query.until(MessageFilter.time("until", until));
        }
        if (!after.isEmpty()) {
            query.after(after);
        }
        return query.build();
    }

    /** The audit page URL for these filters and cursor (null for the first page). */
    public String link(String cursor) {
        String url = "/console/audit?actor=" + Format.url(actor) + "&action=" + Format.url(action) + "&target=" + Format.url(target)
                + "&since=" + Format.url(since) + "&until=" + Format.url(until);
        return cursor == null ? url : url + "&after=" + Format.url(cursor);
    }

    /** Whether any filter is set. */
    public boolean isFiltered() {
        return !(actor.isEmpty() && action.isEmpty() && target.isEmpty() && since.isEmpty() && until.isEmpty());
    }
}
