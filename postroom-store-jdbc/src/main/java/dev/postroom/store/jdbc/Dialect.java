package dev.postroom.store.jdbc;

import java.util.List;

/**
 * What differs between the databases Postroom stores messages in, for the SQL the stores share:
 * how a JSON array column grows by an element, how a JSON object is built, and how a bound
 * parameter is typed. Each store keeps its concurrency model (locks, {@code SKIP LOCKED},
 * notifications) to itself.
 */
public enum Dialect {
    /** SQLite: JSON as text, grown with {@code json_insert(col, '$[#]', ...)}; one writer, so entries arrive in order. */
    SQLITE("json_insert(coalesce(%s, '[]')", ", '$[#]', %s", ")", "json_object", "?", false),
    /**
     * PostgreSQL: {@code jsonb}, grown with {@code ||}. Parameters are typed ({@code ?::text}) where
     * the server could not infer a type inside a JSON constructor. Requests carry the engine's
     * {@code now} from when they were made, and two made close together on different nodes may
     * commit in the other order, so a timeline entry is never dated before the one it follows.
     */
    POSTGRES("coalesce(%s, '[]'::jsonb)", " || %s", "", "jsonb_build_object",
            "greatest(?::bigint, (timeline -> -1 ->> 'at')::bigint)", true);

    private final String arrayOpen;
    private final String arrayElement;
    private final String arrayClose;
    private final String objectFunction;
    private final String entryAt;
    private final boolean typedParameters;

    Dialect(String arrayOpen, String arrayElement, String arrayClose, String objectFunction, String entryAt,
            boolean typedParameters) {
        this.arrayOpen = arrayOpen;
        this.arrayElement = arrayElement;
        this.arrayClose = arrayClose;
        this.objectFunction = objectFunction;
        this.entryAt = entryAt;
        this.typedParameters = typedParameters;
    }

    /** {@code column}, a JSON array (null is empty), with {@code elements} appended. */
    String appendToArray(String column, List<String> elements) {
        StringBuilder sql = new StringBuilder(arrayOpen.formatted(column));
        elements.forEach(element -> sql.append(arrayElement.formatted(element)));
        return sql.append(arrayClose).toString();
    }

    /** A JSON object from alternating key and value expressions. */
    String object(String... keysAndValues) {
        return objectFunction + "(" + String.join(", ", keysAndValues) + ")";
    }

    /** The {@code at} of a new timeline entry, from one bound epoch-millisecond parameter. */
    String entryAt() {
        return entryAt;
    }

    /** A bound parameter of SQL type {@code type} ({@code text}, {@code int}, {@code bigint}). */
    String param(String type) {
        return typedParameters ? "?::" + type : "?";
    }
}
