package dev.postroom.store.postgres;

import dev.postroom.MessagePage;
import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.MessageSummary;
import dev.postroom.store.MessageIds;
import dev.postroom.store.BrowseCursor;
import dev.postroom.store.StoreUnavailableException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Browsing ({@code GET /api/v1/messages}, the console). A page is two statements in one read-only
 * REPEATABLE READ transaction, so both see the same snapshot:
 * <ol>
 *   <li><b>Scan</b> ids newest first from the cursor, with the filters an index answers in WHERE
 *       (queue, state, ordering key, the time range as an id range: see {@code V1__messages.sql}),
 *       and the free text, which no index answers, as a column, so that the scan can stop after a
 *       bounded number of rows;</li>
 *   <li><b>fetch</b> the summary columns of the page's rows by id.</li>
 * </ol>
 * The state is the row's: leases are in the rows, so there is no overlay to apply.
 *
 * <p>Cursors name the last row exactly ({@link BrowseCursor#encodeId}): two nodes can mint the
 * same sequence in the same millisecond, and a bound by sequence would skip the other one. A
 * sequence cursor (the embedded store's) is still read, turned into an id bound by {@link IdBounds}.
 */
final class MessageBrowser {
    /** Rows a page may examine for a free-text filter; the SPI promises at least 1,000. Same as the embedded store. */
    static final int SCAN_BUDGET = 10_000;

    private final DataSource pool;

    MessageBrowser(DataSource pool) {
        this.pool = pool;
    }

    MessagePage browse(MessageQuery query) {
        BrowseCursor.Range range = BrowseCursor.range(query);
        if (range.isEmpty()) {
            return MessagePage.EMPTY;
        }
        List<Object> parameters = new ArrayList<>();
        StringBuilder where = new StringBuilder("true");
        java.util.Optional<String> exact = BrowseCursor.exactId(query.after());
        if (exact.isPresent()) {
            // Below the last row itself, not below its sequence: a row of another node sharing it is not skipped.
            where.append(" AND id < ?");
            parameters.add(java.util.UUID.fromString(exact.get()));
            if (query.until() != null) {
                where.append(" AND id < ?");
                parameters.add(IdBounds.lowest(MessageIds.firstSequenceAt(query.until())));
            }
        } else if (range.upper() != Long.MAX_VALUE) {
            where.append(" AND id < ?");
            parameters.add(IdBounds.lowest(range.upper()));
        }
        if (range.lower() > 0) {
            where.append(" AND id >= ?");
            parameters.add(IdBounds.lowest(range.lower()));
        }
        if (query.queue() != null) {
            where.append(" AND queue = ?");
            parameters.add(query.queue());
        }
        if (query.state() != null) {
            // Literal, not a parameter: the partial indexes apply only to a state known at planning.
            where.append(" AND state = ").append(query.state().code());
        }
        if (query.orderingKey() != null) {
            where.append(" AND ordering_key = ?");
            parameters.add(query.orderingKey());
        }
        boolean residual = query.text() != null;
        String matches = "true";
        if (residual) {
            matches = "(payload ILIKE ? OR coalesce(headers, '') ILIKE ?)";
            String pattern = dev.postroom.store.jdbc.Statements.likePattern(query.text());
            parameters.addFirst(pattern);
            parameters.add(1, pattern);
        }
        int rowLimit = residual ? SCAN_BUDGET : query.limit() + 1;
        String sql = "SELECT id, " + matches + " FROM messages WHERE " + where + " ORDER BY id DESC LIMIT ?";
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (var statement = c.createStatement()) {
                    statement.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                }
                List<UUID> hits = new ArrayList<>();
                UUID lastExamined = null;
                int rows = 0;
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setFetchSize(residual ? 1_000 : rowLimit);
                    int index = 1;
                    for (Object parameter : parameters) {
                        ps.setObject(index++, parameter);
                    }
                    ps.setInt(index, rowLimit);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (hits.size() <= query.limit() && rs.next()) {
                            rows++;
                            lastExamined = rs.getObject(1, UUID.class);
                            if (rs.getBoolean(2)) {
                                hits.add(lastExamined);
                            }
                        }
                    }
                }
                String next;
                List<UUID> page;
                if (hits.size() > query.limit()) {
                    page = hits.subList(0, query.limit());
                    next = BrowseCursor.encodeId(page.getLast().toString());
                } else {
                    page = hits;
                    next = rows == rowLimit && lastExamined != null
                            ? BrowseCursor.encodeId(lastExamined.toString()) : null;
                }
                return new MessagePage(fetch(c, page), next);
            } finally {
                c.rollback(); // read only; the pool restores autocommit
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("browse failed: " + e.getMessage(), e);
        }
    }

    /** The page's summaries, in page order. */
    private static List<MessageSummary> fetch(Connection c, List<UUID> page) throws SQLException {
        if (page.isEmpty()) {
            return List.of();
        }
        Map<UUID, MessageSummary> byId = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT id, queue, state, priority, ordering_key, attempt, max_attempts, enqueued_at, updated_at,
                       left(payload, %d), errors -> -1 ->> 'message', batch_id::text
                FROM messages WHERE id = ANY(?)""".formatted(MessageSummary.PREVIEW_CHARS))) {
            ps.setArray(1, c.createArrayOf("uuid", page.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID id = rs.getObject(1, UUID.class);
                    byId.put(id, new MessageSummary(id.toString(), rs.getString(2), MessageState.fromCode(rs.getShort(3)), rs.getShort(4),
                            rs.getString(5), rs.getInt(6), rs.getInt(7), Instant.ofEpochMilli(rs.getLong(8)),
                            Instant.ofEpochMilli(rs.getLong(9)), rs.getString(10), rs.getString(11), rs.getString(12)));
                }
            }
        }
        List<MessageSummary> summaries = new ArrayList<>(page.size());
        for (UUID id : page) {
            MessageSummary summary = byId.get(id);
            if (summary != null) {
                summaries.add(summary);
            }
        }
        return summaries;
    }
}
