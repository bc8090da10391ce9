package dev.postroom.store.jdbc;

import dev.postroom.AttemptError;
import dev.postroom.Message;
import dev.postroom.MessagePage;
import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.MessageSummary;
import dev.postroom.TimelineEntry;
import dev.postroom.store.ArchiveStore;
import dev.postroom.store.BrowseCursor;
import dev.postroom.store.MessageIds;
import dev.postroom.store.StoreUnavailableException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The archive of a SQL store ({@code archived_messages}), written once for SQLite and PostgreSQL.
 * Rows are keyed by the text id, whose order is send order: pages go backwards from the cursor's
 * lowest id, as live browsing does by sequence.
 */
public final class JdbcArchive implements ArchiveStore {
    /** The archive's columns, in the order {@link #moveStatement} fills them. */
    private static final String INSERT_COLUMNS = "id, queue, state, priority, ordering_key, attempt, max_attempts, enqueued_at, "
            + "finished_at, archived_at, batch_id, payload, headers, result, last_error";

    private final StoreAccess access;
    private final Dialect dialect;
    private final StoredJson json;

    public JdbcArchive(StoreAccess access, Dialect dialect, StoredJson json) {
        this.access = access;
        this.dialect = dialect;
        this.json = json;
    }

    /**
     * For the stores' {@code archiveFinished}: the statement that copies the rows of
     * {@code messages} matching {@code condition} into the archive, {@code archived_at} its first
     * parameter. On PostgreSQL it also deletes them (one statement, so a row changed meanwhile is
     * neither lost nor copied); on SQLite, whose one writer changes nothing between the two, the
     * store deletes them after with the same condition.
     */
    public static String moveStatement(Dialect dialect, String condition) {
        if (dialect == Dialect.POSTGRES) {
            return "WITH moved AS (DELETE FROM messages WHERE " + condition + " RETURNING *) "
                    + "INSERT INTO archived_messages (" + INSERT_COLUMNS + ") "
                    + "SELECT id::text, queue, state, priority, ordering_key, attempt, max_attempts, enqueued_at, updated_at, ?, "
                    + "batch_id::text, payload, headers, result, errors -> -1 ->> 'message' FROM moved ON CONFLICT (id) DO NOTHING";
        }
        return "INSERT OR REPLACE INTO archived_messages (" + INSERT_COLUMNS + ") "
                + "SELECT id, queue, state, priority, ordering_key, attempt, max_attempts, enqueued_at, updated_at, ?, "
                + "batch_id, payload, headers, result, json_extract(errors, '$[#-1].message') FROM messages WHERE " + condition;
    }

    @Override
    public MessagePage browse(MessageQuery query) {
        if (query.state() == MessageState.IN_FLIGHT || query.state() == MessageState.READY || query.state() == MessageState.SCHEDULED) {
            return new MessagePage(List.of(), null);
        }
        List<String> conditions = new ArrayList<>();
        List<Object> parameters = new ArrayList<>();
        if (query.after() != null) {
            conditions.add("id < ?");
            parameters.add(BrowseCursor.exactId(query.after()).orElseGet(() -> MessageIds.lowestIdOf(BrowseCursor.decode(query.after()))));
        }
        if (query.queue() != null) {
            conditions.add("queue = ?");
            parameters.add(query.queue());
        }
        if (query.state() != null) {
            conditions.add("state = ?");
            parameters.add(query.state().code());
        }
        if (query.orderingKey() != null) {
            conditions.add("ordering_key = ?");
            parameters.add(query.orderingKey());
        }
        if (query.since() != null) {
            conditions.add("enqueued_at >= ?");
            parameters.add(query.since().toEpochMilli());
        }
        if (query.until() != null) {
            conditions.add("enqueued_at < ?");
            parameters.add(query.until().toEpochMilli());
        }
        if (query.text() != null) {
            String like = dialect == Dialect.POSTGRES ? "ILIKE" : "LIKE";
            conditions.add("(payload " + like + " ? ESCAPE '\\' OR coalesce(headers, '') " + like + " ? ESCAPE '\\')");
            String pattern = Statements.likePattern(query.text());
            parameters.add(pattern);
            parameters.add(pattern);
        }
        String sql = "SELECT id, queue, state, priority, ordering_key, attempt, max_attempts, enqueued_at, finished_at, "
                + "substr(payload, 1, " + MessageSummary.PREVIEW_CHARS + "), last_error, batch_id FROM archived_messages"
                + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions)) + " ORDER BY id DESC LIMIT ?";
        try (Connection c = access.reader(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (Object parameter : parameters) {
                ps.setObject(i++, parameter);
            }
            ps.setInt(i, query.limit() + 1);
            List<MessageSummary> found = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(new MessageSummary(rs.getString(1), rs.getString(2), MessageState.fromCode(rs.getInt(3)), rs.getInt(4),
                            rs.getString(5), rs.getInt(6), rs.getInt(7), Instant.ofEpochMilli(rs.getLong(8)),
                            Instant.ofEpochMilli(rs.getLong(9)), rs.getString(10), rs.getString(11), rs.getString(12)));
                }
            }
            if (found.size() <= query.limit()) {
                return new MessagePage(found, null);
            }
            List<MessageSummary> page = found.subList(0, query.limit());
            return new MessagePage(List.copyOf(page), BrowseCursor.encodeId(page.getLast().id()));
        } catch (SQLException e) {
            throw new StoreUnavailableException("archive read failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<Message> get(String id) {
        if (!MessageIds.isValid(id)) {
            return Optional.empty();
        }
        try (Connection c = access.reader(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, queue, state, priority, ordering_key, attempt, max_attempts, enqueued_at, finished_at, batch_id, "
                        + "payload, headers, result, last_error FROM archived_messages WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                MessageState state = MessageState.fromCode(rs.getInt(3));
                Instant finished = Instant.ofEpochMilli(rs.getLong(9));
                String lastError = rs.getString(14);
                List<AttemptError> errors = lastError == null ? List.of()
                        : List.of(new AttemptError(rs.getInt(6), finished, lastError, null));
                return Optional.of(new Message(rs.getString(1), rs.getString(2), state, rs.getString(11), json.readHeaders(rs.getString(12)),
                        rs.getInt(4), rs.getString(5), null, rs.getInt(6), rs.getInt(7), Instant.ofEpochMilli(rs.getLong(8)), null, null,
                        null, rs.getString(13), null, errors, List.of(new TimelineEntry(finished, state, null, rs.getInt(6), "archived")),
                        rs.getString(10), 0));
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("archive read failed: " + e.getMessage(), e);
        }
    }

    @Override
    public CompletableFuture<Boolean> rewriteBodies(dev.postroom.store.BodyRewrite rewrite) {
        String sameResult = dialect == Dialect.POSTGRES ? "result IS NOT DISTINCT FROM ?" : "result IS ?";
        return access.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE archived_messages SET payload = ?, result = ? "
                    + "WHERE id = ? AND payload = ? AND " + sameResult)) {
                ps.setString(1, rewrite.payload());
                ps.setString(2, rewrite.result());
                ps.setString(3, rewrite.id());
                ps.setString(4, rewrite.expectedPayload());
                ps.setString(5, rewrite.expectedResult());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public CompletableFuture<Integer> purge(String queue, Instant before) {
        return access.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM archived_messages WHERE queue = ? AND archived_at < ?")) {
                ps.setString(1, queue);
                ps.setLong(2, before.toEpochMilli());
                return ps.executeUpdate();
            }
        });
    }

    /** For erasure: deletes the archived message {@code id}; whether there was one. */
    public static boolean delete(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM archived_messages WHERE id = ?")) {
            ps.setString(1, id);
            return ps.executeUpdate() == 1;
        }
    }
}
