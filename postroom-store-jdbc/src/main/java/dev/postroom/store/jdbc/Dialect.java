package dev.postroom.store.jdbc;

import dev.postroom.MessageState;
import dev.postroom.store.Transition;

import java.util.List;

/**
 * What differs between the databases Postroom keeps its data in, for the SQL written once for
 * both (the stores' shared statements, and the server's users, tokens and audit log): how a JSON
 * array column grows by an element, how a JSON object is built, how a bound parameter is typed,
 * and how rows are locked. Each store keeps the rest of its concurrency model to itself.
 */
public enum Dialect {
    /** SQLite: JSON as text, grown with {@code json_insert(col, '$[#]', ...)}; one writer, so entries arrive in order. */
    SQLITE("json_insert(coalesce(%s, '[]')", ", '$[#]', %s", ")", "json_object", false, "", "", "", "%s", null,
            "json_extract(%s, '$.\"' || ? || '\"')", "json_array_length(%s)", "json_remove(%s, '$[1]', '$[1]')"),
    /**
     * PostgreSQL: {@code jsonb}, grown with {@code ||}. Parameters are typed ({@code ?::text}) where
     * the server could not infer a type inside a JSON constructor. Requests carry the engine's
     * {@code now} from when they were made, and two made close together on different nodes may
     * commit in the other order, so a timeline entry is never dated before the one it follows.
     */
    POSTGRES("coalesce(%s, '[]'::jsonb)", " || jsonb_build_array(%s)", "", "jsonb_build_object", true, " FOR UPDATE", " FOR UPDATE SKIP LOCKED", " FOR KEY SHARE",
            "%s COLLATE \"C\"", "(xmax = 0)", "%s::jsonb ->> ?", "jsonb_array_length(%s)", "((%s - 1) - 1)");

    /**
     * The {@code at} of a PostgreSQL timeline's last entry, a compact array or (written before) an
     * object, from the timeline column named by the one {@code %s}.
     */
    public static final String LAST_ENTRY_AT = "coalesce(%1$s -> -1 ->> 'at', %1$s -> -1 ->> 0)::bigint";

    private final String arrayOpen;
    private final String arrayElement;
    private final String arrayClose;
    private final String objectFunction;
    private final boolean typedParameters;
    private final String forUpdate;
    private final String skipLocked;
    private final String keyShare;
    private final String bytewise;
    private final String inserted;
    private final String jsonText;
    private final String arrayLength;
    private final String dropSecondAndThird;

    Dialect(String arrayOpen, String arrayElement, String arrayClose, String objectFunction, boolean typedParameters,
            String forUpdate, String skipLocked, String keyShare, String bytewise, String inserted, String jsonText, String arrayLength, String dropSecondAndThird) {
        this.arrayOpen = arrayOpen;
        this.arrayElement = arrayElement;
        this.arrayClose = arrayClose;
        this.objectFunction = objectFunction;
        this.typedParameters = typedParameters;
        this.forUpdate = forUpdate;
        this.skipLocked = skipLocked;
        this.keyShare = keyShare;
        this.bytewise = bytewise;
        this.inserted = inserted;
        this.jsonText = jsonText;
        this.arrayLength = arrayLength;
        this.dropSecondAndThird = dropSecondAndThird;
    }

    /** The text value of a JSON object column's member whose name is one bound parameter (null when absent). */
    public String jsonText(String column) {
        return jsonText.formatted(column);
    }

    /**
     * What an upsert's {@code RETURNING} says to tell an inserted row from an updated one
     * ({@code xmax = 0} on PostgreSQL), or null where the database cannot tell (SQLite: there the
     * one writer may look first, as nothing changes between the look and the write).
     */
    public String inserted() {
        return inserted;
    }

    /**
     * The clause that keeps a row a {@code SELECT} read from being deleted or re-keyed until the
     * transaction commits, without blocking other readers or updates of other columns: {@code FOR
     * KEY SHARE} on PostgreSQL; nothing on SQLite (its one writer holds the database).
     */
    public String keyShare() {
        return keyShare;
    }

    /** {@code column} compared byte by byte (as SQLite's default collation does), for orders that match on every database. */
    public String bytewise(String column) {
        return bytewise.formatted(column);
    }

    /**
     * The clause that locks the rows a {@code SELECT} in a transaction read, until it commits:
     * {@code FOR UPDATE} on PostgreSQL; nothing on SQLite, whose writing transactions hold the
     * database's one write lock from their start.
     */
    public String forUpdate() {
        return forUpdate;
    }

    /**
     * As {@link #forUpdate()}, but passing over rows another transaction holds: {@code FOR UPDATE
     * SKIP LOCKED} on PostgreSQL, so that nodes share out work instead of queueing on it.
     */
    public String skipLocked() {
        return skipLocked;
    }

    /** {@code column}, a JSON array (null is empty), with {@code elements} appended. */
    String appendToArray(String column, List<String> elements) {
        StringBuilder sql = new StringBuilder(arrayOpen.formatted(column));
        elements.forEach(element -> sql.append(arrayElement.formatted(element)));
        return sql.append(arrayClose).toString();
    }

    /**
     * {@code column}, a JSON array (null is empty), with {@code elements} appended, kept near
     * {@code max} elements: once it holds {@code max}, its second and third elements go before the
     * new ones are appended, so that the first element and the latest stay. Removing two per append
     * keeps the array bounded even where other statements append to it without trimming.
     */
    String appendToBoundedArray(String column, List<String> elements, int max) {
        String array = "coalesce(" + column + ", " + (typedParameters ? "'[]'::jsonb" : "'[]'") + ")";
        String bounded = "CASE WHEN " + arrayLength.formatted(array) + " >= " + max + " THEN "
                + dropSecondAndThird.formatted(array) + " ELSE " + array + " END";
        return appendToArray(bounded, elements);
    }

    /** A JSON object from alternating key and value expressions. */
    String object(String... keysAndValues) {
        return objectFunction + "(" + String.join(", ", keysAndValues) + ")";
    }

    /**
     * A timeline entry from its five value expressions, stored as a compact array
     * {@code [at, state, node, attempt, reason]}: half the bytes of an object with its member names,
     * in a row that every transition rewrites (see {@link StoredJson#readTimeline}, which reads both).
     */
    String timelineEntry(String at, String state, String node, String attempt, String reason) {
        return (this == SQLITE ? "json_array(" : "jsonb_build_array(") + String.join(", ", at, state, node, attempt, reason) + ")";
    }

    /**
     * A message row's timeline as a JSON array, including the one a row on the happy path implies
     * instead of storing it (see both stores' V13 migrations): sent READY by {@code node} at
     * {@code enqueued_at}; once {@code claimed_at} is set, leased then (by {@code claim_node} on
     * PostgreSQL, by the sender on SQLite); once SUCCEEDED, acked at {@code updated_at} on that first
     * attempt by the node that leased it. SQLite marks such a row's timeline {@code ''} (its column
     * is NOT NULL), PostgreSQL with NULL.
     */
    public String timeline() {
        return timeline("");
    }

    /** {@link #timeline()} with the row's columns qualified by {@code alias} ({@code "m."}), for statements that join. */
    public String timeline(String alias) {
        if (this == SQLITE) {
            String sent = "json_array(" + alias + "enqueued_at, 'READY', " + alias + "node, 0, '" + Transition.SENT + "')";
            return "CASE WHEN " + alias + "timeline <> '' THEN " + alias + "timeline"
                    + " WHEN " + alias + "claimed_at IS NULL THEN json_array(" + sent + ")"
                    + " ELSE json_array(" + sent + ", json_array(" + alias + "claimed_at, 'IN_FLIGHT', " + alias + "node, 1, '" + Transition.LEASED + "'),"
                    + " json_array(" + alias + "updated_at, 'SUCCEEDED', " + alias + "node, 1, '" + Transition.ACKED + "')) END";
        }
        String sent = "jsonb_build_array(" + alias + "enqueued_at, 'READY', " + alias + "node, 0, '" + Transition.SENT + "')";
        String leased = "jsonb_build_array(" + alias + "claimed_at, 'IN_FLIGHT', " + alias + "claim_node, 1, '" + Transition.LEASED + "')";
        String acked = "jsonb_build_array(" + alias + "updated_at, 'SUCCEEDED', " + alias + "claim_node, 1, '" + Transition.ACKED + "')";
        return "coalesce(" + alias + "timeline, CASE WHEN " + alias + "claimed_at IS NULL THEN jsonb_build_array(" + sent + ")"
                + " WHEN " + alias + "state = " + MessageState.SUCCEEDED.code() + " THEN jsonb_build_array(" + sent + ", " + leased + ", " + acked + ")"
                + " ELSE jsonb_build_array(" + sent + ", " + leased + ") END)";
    }

    /** The {@code at} of the last entry of a PostgreSQL row's {@link #timeline(String)}. */
    public String lastEntryAt(String alias) {
        return LAST_ENTRY_AT.formatted("(" + timeline(alias) + ")");
    }

    /** The {@code at} of a new timeline entry, from one bound epoch-millisecond parameter. */
    String entryAt() {
        return this == POSTGRES ? "greatest(?::bigint, " + lastEntryAt("") + ")" : "?";
    }

    /** A bound parameter of SQL type {@code type} ({@code text}, {@code int}, {@code bigint}). */
    String param(String type) {
        return typedParameters ? "?::" + type : "?";
    }
}
