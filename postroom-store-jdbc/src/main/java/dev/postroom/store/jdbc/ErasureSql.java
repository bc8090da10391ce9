package dev.postroom.store.jdbc;

import com.fasterxml.jackson.core.JsonPointer;
import dev.postroom.ErasureFilter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code WHERE} condition of an erasure's filter in one dialect, with its parameters: the
 * ordering key compared as is, headers and a payload field read from the JSON columns, every value
 * compared as text. The stores run it over the whole table, in pages by id.
 *
 * @param condition  to follow {@code WHERE}
 * @param parameters bound in order; a {@code String[]} is a PostgreSQL {@code text[]}
 */
public record ErasureSql(String condition, List<Object> parameters) {

    /** The condition for {@code filter} (validated) in {@code dialect}. */
    public static ErasureSql of(Dialect dialect, ErasureFilter filter) {
        List<String> conditions = new ArrayList<>();
        List<Object> parameters = new ArrayList<>();
        boolean postgres = dialect == Dialect.POSTGRES;
        if (filter.orderingKey() != null) {
            conditions.add("ordering_key = ?");
            parameters.add(filter.orderingKey());
        }
        for (Map.Entry<String, String> header : filter.headers().entrySet()) {
            conditions.add(postgres ? "(headers::jsonb ->> ?) = ?" : "json_extract(headers, ?) = ?");
            parameters.add(postgres ? header.getKey() : "$.\"" + header.getKey().replace("\"", "\\\"") + "\"");
            parameters.add(header.getValue());
        }
        if (filter.payloadPointer() != null) {
            List<String> segments = segments(filter.payloadPointer());
            if (postgres) {
                conditions.add("(payload::jsonb #>> ?::text[]) = ?");
                parameters.add(segments.toArray(String[]::new));
            } else {
                conditions.add("CAST(json_extract(payload, ?) AS TEXT) = ?");
                parameters.add(sqlitePath(segments));
            }
            parameters.add(filter.payloadValue());
        }
        return new ErasureSql(String.join(" AND ", conditions), parameters);
    }

    private static List<String> segments(String pointer) {
        List<String> segments = new ArrayList<>();
        for (JsonPointer p = JsonPointer.compile(pointer); !p.matches(); p = p.tail()) {
            segments.add(p.getMatchingProperty());
        }
        return segments;
    }

    /** A JSON path for SQLite's {@code json_extract}: a number is an array index, anything else a quoted key. */
    private static String sqlitePath(List<String> segments) {
        StringBuilder path = new StringBuilder("$");
        for (String segment : segments) {
            if (!segment.isEmpty() && segment.chars().allMatch(Character::isDigit) && segment.length() < 10) {
                path.append('[').append(segment).append(']');
            } else {
                path.append(".\"").append(segment.replace("\"", "\\\"")).append('"');
            }
        }
        return path.toString();
    }

    /** Binds the parameters from {@code index}; returns the next index. */
    public int bind(java.sql.PreparedStatement ps, int index) throws java.sql.SQLException {
        int i = index;
        for (Object parameter : parameters) {
            if (parameter instanceof String[] array) {
                ps.setArray(i++, ps.getConnection().createArrayOf("text", array));
            } else {
                ps.setObject(i++, parameter);
            }
        }
        return i;
    }

    /** How many rows of {@code messages} and of the archive match {@code filter}, read on a connection of {@code readers}. */
    public static long count(javax.sql.DataSource readers, Dialect dialect, ErasureFilter filter) {
        ErasureSql where = of(dialect, filter);
        try (java.sql.Connection c = readers.getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT (SELECT count(*) FROM messages WHERE " + where.condition()
                     + ") + (SELECT count(*) FROM archived_messages WHERE " + where.condition() + ")")) {
            where.bind(ps, where.bind(ps, 1));
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (java.sql.SQLException e) {
            throw new dev.postroom.store.StoreUnavailableException("read failed: " + e.getMessage(), e);
        }
    }

    /**
     * Up to {@code limit} ids of matching rows, oldest first: {@code idColumn} selected as text,
     * ordered by {@code orderColumn} (the stores' row keys differ); then archived ones.
     */
    public static List<String> ids(javax.sql.DataSource readers, Dialect dialect, ErasureFilter filter, String idColumn, String orderColumn,
                                   int limit) {
        ErasureSql where = of(dialect, filter);
        try (java.sql.Connection c = readers.getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT " + idColumn + " FROM messages WHERE " + where.condition()
                     + " ORDER BY " + orderColumn + " LIMIT ?")) {
            ps.setInt(where.bind(ps, 1), limit);
            List<String> ids = new ArrayList<>();
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            if (ids.size() < limit) {
                try (java.sql.PreparedStatement archived = c.prepareStatement("SELECT id FROM archived_messages WHERE "
                        + where.condition() + " ORDER BY id LIMIT ?")) {
                    archived.setInt(where.bind(archived, 1), limit - ids.size());
                    try (java.sql.ResultSet rs = archived.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getString(1));
                        }
                    }
                }
            }
            return ids;
        } catch (java.sql.SQLException e) {
            throw new dev.postroom.store.StoreUnavailableException("read failed: " + e.getMessage(), e);
        }
    }
}
