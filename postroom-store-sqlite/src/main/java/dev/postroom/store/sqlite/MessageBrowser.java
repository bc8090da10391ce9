package dev.postroom.store.sqlite;

import dev.postroom.store.jdbc.StateSql;
import dev.postroom.MessagePage;
import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.MessageSummary;
import dev.postroom.StateCounts;
import dev.postroom.store.BrowseCursor;
import dev.postroom.store.StoreUnavailableException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Browsing of the embedded store ({@code GET /api/v1/messages}), on a pooled read connection. A page
 * is read in one read transaction, so both of its steps see the same snapshot:
 * <ol>
 *   <li><b>Scan.</b> Per branch — the whole table, one queue, or one queue and one READY priority —
 *       read one index range backwards from the cursor (the indexes are in {@code V2__browse.sql};
 *       each ends in {@code seq}), returning each row's seq, its state, and whether the filters no
 *       index answers hold (the free text; SUCCEEDED; a state beside an ordering key). Several branches (READY has one per priority,
 *       a filter without a queue one per queue) are merged by seq.</li>
 *   <li><b>Fetch</b> the summary columns of the page's rows by seq.</li>
 * </ol>
 * Leases live in memory ({@link Leases}): a leased row is READY on disk, so the scan overlays the
 * leases exactly as {@link MessageReads#get} does, and IN_FLIGHT is read from the leases themselves.
 *
 * <p>A branch with a filter no index answers examines at most {@link #SCAN_BUDGET} rows a page (split
 * among branches, never fewer than 1,000 each, as the SPI promises). When the budget runs out before
 * the page is full, the page comes back short and its cursor points at the last row examined, so
 * every call costs about the same however rare the matches are.
 */
final class MessageBrowser {
    /** The condition on the rows the leases name (READY or SCHEDULED on disk). Parameter: their seqs as a JSON array. */
    private static final String LEASED_ROWS = StateSql.expand(" AND seq IN (SELECT value FROM json_each(?)) AND state IN ({WAITING})");
    /** The condition of one priority's READY rows. Parameter: priority. */
    private static final String READY_AT_PRIORITY = StateSql.expand(" AND state = {READY} AND priority = ?");

    /**
     * Rows a page may examine for filters no index answers. Matching 10,000 rows of ~200-byte
     * payloads with LIKE took 5 ms (whole table) to 8 ms (one queue, through messages_queue) on the
     * 2-core reference machine, 1,000,000 messages: short enough that a console search never holds a
     * read connection (there are 4, shared with the dispatchers) for long, and a search through a
     * million rows that matches nothing takes 100 calls.
     */
    static final int SCAN_BUDGET = 10_000;
    /** The fewest rows a branch examines before it may stop short; the SPI promises 1,000. */
    private static final int MIN_SCAN = 1_000;
    private static final int SCHEDULED = MessageState.SCHEDULED.code();
    private static final int READY = MessageState.READY.code();
    /** States a queue's rows are indexed by (messages_state). READY has messages_ready. */
    private static final Set<MessageState> STATE_INDEXED = EnumSet.of(MessageState.SCHEDULED, MessageState.DEAD, MessageState.CANCELLED);

    private final DataSource readers;
    private final Leases leases;
    private final StateCounters counters;
    private final Supplier<Collection<String>> queueNames;

    MessageBrowser(DataSource readers, Leases leases, StateCounters counters, Supplier<Collection<String>> queueNames) {
        this.readers = readers;
        this.leases = leases;
        this.counters = counters;
        this.queueNames = queueNames;
    }

    /** One branch of a scan: a range of one index. Null fields are unconstrained. */
    record Branch(String queue, Integer priority) {
    }

    /**
     * One branch's scan as SQL. Its columns: seq, state, and whether the residual filters (those
     * no index answers) hold; its parameters in order, then the row limit.
     */
    record ScanStatement(String sql, List<Object> parameters, boolean residual) {
    }

    /** A row that matched; {@code lease} is set when it is shown IN_FLIGHT. */
    private record Hit(long seq, Leases.Lease lease) {
    }

    /**
     * What one branch found: matches newest first, and how far down it looked: every row at or
     * above {@code frontier} was examined; {@link Long#MIN_VALUE} when the branch was read to its end.
     */
    private record Scan(List<Hit> hits, long frontier) {
    }

    MessagePage browse(MessageQuery query) {
        BrowseCursor.Range range = BrowseCursor.range(query);
        if (range.isEmpty()) {
            return MessagePage.EMPTY;
        }
        // Look at the leases before the rows, as get does: a lease settled meanwhile shows as the row's new state.
        Map<Long, Leases.Lease> leased = leases.byRow(query.queue());
        if (query.state() == MessageState.IN_FLIGHT && leased.isEmpty()) {
            return MessagePage.EMPTY;
        }
        try (Connection c = readers.getConnection()) {
            c.setAutoCommit(false);
            try {
                return page(c, query, range.lower(), range.upper(), leased);
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("browse failed: " + e.getMessage(), e);
        }
    }

    private MessagePage page(Connection c, MessageQuery query, long lower, long upper, Map<Long, Leases.Lease> leased)
            throws SQLException {
        List<Branch> branches = branches(c, query);
        int want = query.limit() + 1;
        int budget = Math.max(MIN_SCAN, SCAN_BUDGET / Math.max(1, branches.size()));
        List<Hit> hits = new ArrayList<>();
        long frontier = Long.MIN_VALUE;
        for (Branch branch : branches) {
            Scan scan = scan(c, branch, query, lower, upper, leased, want, budget);
            hits.addAll(scan.hits());
            frontier = Math.max(frontier, scan.frontier());
        }
        // Below the highest frontier some branch has not looked yet: only hits at or above it are final.
        long certainFrom = frontier;
        List<Hit> certain = hits.stream()
                .filter(h -> h.seq() >= certainFrom)
                .sorted(Comparator.comparingLong(Hit::seq).reversed())
                .toList();
        List<Hit> page;
        String next;
        if (certain.size() > query.limit()) {
            page = certain.subList(0, query.limit());
            next = BrowseCursor.encode(page.getLast().seq());
        } else {
            page = certain;
            next = frontier == Long.MIN_VALUE ? null : BrowseCursor.encode(frontier);
        }
        return new MessagePage(fetch(c, page), next);
    }

    /**
     * The index ranges to read. A state or key filter without a queue reads each queue's range (its
     * indexes all start with the queue); READY reads messages_ready one priority at a time, because
     * that index orders by seq only within a priority. Branches the in-memory counts prove empty are
     * left out, which also spares the SUCCEEDED walk when there are none.
     */
    private List<Branch> branches(Connection c, MessageQuery query) throws SQLException {
        MessageState state = query.state();
        boolean byQueue = state == MessageState.READY || STATE_INDEXED.contains(state) || query.orderingKey() != null;
        List<String> queues;
        if (query.queue() != null || state == MessageState.IN_FLIGHT) {
            queues = Collections.singletonList(query.queue());
        } else if (byQueue) {
            queues = queueNames.get().stream().sorted().toList();
        } else {
            queues = Collections.singletonList(null);
        }
        Map<String, StateCounts> counts = counters.snapshot();
        List<Branch> branches = new ArrayList<>();
        for (String queue : queues) {
            if (queue != null && state != null && state != MessageState.IN_FLIGHT
                    && counts.getOrDefault(queue, StateCounts.EMPTY).of(state) == 0) {
                continue;
            }
            if (state == MessageState.READY && query.orderingKey() == null) {
                for (int priority : readyPriorities(c, queue)) {
                    branches.add(new Branch(queue, priority));
                }
            } else {
                branches.add(new Branch(queue, null));
            }
        }
        return branches;
    }

    static final String READY_PRIORITIES =
            StateSql.expand("SELECT priority FROM messages WHERE queue = ? AND state = {READY} AND priority < ? ORDER BY priority DESC LIMIT 1");

    /** The priorities the queue has READY rows of, highest first: one seek each on messages_ready. */
    private static List<Integer> readyPriorities(Connection c, String queue) throws SQLException {
        List<Integer> priorities = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(READY_PRIORITIES)) {
            long below = Long.MAX_VALUE;
            while (true) {
                ps.setString(1, queue);
                ps.setLong(2, below);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return priorities;
                    }
                    int priority = rs.getInt(1);
                    priorities.add(priority);
                    below = priority;
                }
            }
        }
    }

    private Scan scan(Connection c, Branch branch, MessageQuery query, long lower, long upper,
                      Map<Long, Leases.Lease> leased, int want, int budget) throws SQLException {
        MessageState state = query.state();
        ScanStatement statement = scanStatement(branch, query, lower, upper, leased.keySet());
        // Without residual filters only leased rows (shown IN_FLIGHT, not in the state asked for) are
        // skipped, so asking for that many more fills the page in one go.
        int rowLimit = statement.residual() ? budget : want + (state == null ? 0 : leased.size());
        List<Hit> hits = new ArrayList<>();
        int rows = 0;
        long lowest = Long.MIN_VALUE;
        try (PreparedStatement ps = c.prepareStatement(statement.sql())) {
            int index = 1;
            for (Object parameter : statement.parameters()) {
                ps.setObject(index++, parameter);
            }
            ps.setInt(index, rowLimit);
            try (ResultSet rs = ps.executeQuery()) {
                while (hits.size() < want && rs.next()) {
                    rows++;
                    long seq = rs.getLong(1);
                    lowest = seq;
                    if (rs.getInt(3) == 0) {
                        continue;
                    }
                    int rowState = rs.getInt(2);
                    // The same overlay as MessageReads.get. A lease's seq is its own row's (seqs are never reused).
                    Leases.Lease lease = leased.get(seq);
                    boolean inFlight = lease != null && (rowState == READY || (rowState == SCHEDULED && !lease.settled));
                    MessageState shown = inFlight ? MessageState.IN_FLIGHT : MessageState.fromCode(rowState);
                    if (state == null || shown == state) {
                        hits.add(new Hit(seq, inFlight ? lease : null));
                    }
                }
            }
        }
        boolean exhausted = hits.size() < want && rows < rowLimit;
        return new Scan(hits, exhausted ? Long.MIN_VALUE : lowest);
    }

    /**
     * The SQL of one branch's scan: the conditions an index answers go in WHERE, so that the range
     * read is all SQLite does; the others (free text, SUCCEEDED) become the third column, so the
     * caller can count the rows it examined and stop at its budget.
     */
    static ScanStatement scanStatement(Branch branch, MessageQuery query, long lower, long upper, Set<Long> leasedRows) {
        MessageState state = query.state();
        List<Object> selectParameters = new ArrayList<>();
        List<Object> whereParameters = new ArrayList<>();
        List<String> residual = new ArrayList<>();
        StringBuilder where = new StringBuilder("seq < ? AND seq >= ?");
        whereParameters.add(upper);
        whereParameters.add(lower);
        if (state == MessageState.IN_FLIGHT) {
            // The leases (already of the queue asked for) name the rows: look them up by seq. Given
            // `queue = ?` as well, SQLite would rather walk the queue's whole range.
            where.append(LEASED_ROWS);
            whereParameters.add(leasedRows.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]")));
        } else if (branch.queue() != null) {
            where.append(" AND queue = ?");
            whereParameters.add(branch.queue());
        }
        if (branch.priority() != null) {
            where.append(READY_AT_PRIORITY);
            whereParameters.add(branch.priority());
        } else if (state != null && state != MessageState.IN_FLIGHT) {
            // Literal, not a parameter: whether a partial index applies is decided when the statement is prepared.
            // With a key, the key's range is read and the state checked row by row: a key's history
            // is short, and SQLite, without statistics, cannot tell which of the two ranges is.
            String condition = "state = " + state.code();
            if (branch.queue() != null && query.orderingKey() == null && STATE_INDEXED.contains(state)) {
                where.append(" AND ").append(condition);
            } else {
                residual.add(condition); // and SUCCEEDED, see V2__browse.sql
            }
        }
        if (query.orderingKey() != null) {
            where.append(" AND ordering_key = ?");
            whereParameters.add(query.orderingKey());
        }
        if (query.text() != null) {
            // A scan: LIKE '%...%' can use no index. It reads the rows the conditions above select, and
            // the budget bounds how many.
            residual.add("(payload LIKE ? ESCAPE '\\' OR headers LIKE ? ESCAPE '\\')");
            String pattern = dev.postroom.store.jdbc.Statements.likePattern(query.text());
            selectParameters.add(pattern);
            selectParameters.add(pattern);
        }
        String matches = residual.isEmpty() ? "1" : String.join(" AND ", residual);
        List<Object> parameters = new ArrayList<>(selectParameters);
        parameters.addAll(whereParameters);
        return new ScanStatement("SELECT seq, state, " + matches + " FROM messages WHERE " + where + " ORDER BY seq DESC LIMIT ?",
                parameters, !residual.isEmpty());
    }

    /** The page's summaries, by seq, in page order. */
    private static List<MessageSummary> fetch(Connection c, List<Hit> page) throws SQLException {
        if (page.isEmpty()) {
            return List.of();
        }
        Map<Long, MessageSummary> bySeq = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT seq, id, queue, state, priority, ordering_key, attempt, max_attempts, enqueued_at, updated_at,
                       substr(payload, 1, %d), json_extract(errors, '$[#-1].message'), batch_id
                FROM messages WHERE seq IN (SELECT value FROM json_each(?))""".formatted(MessageSummary.PREVIEW_CHARS))) {
            ps.setString(1, page.stream().map(h -> String.valueOf(h.seq())).collect(Collectors.joining(",", "[", "]")));
            Map<Long, Leases.Lease> leasesOfPage = new HashMap<>();
            page.forEach(h -> leasesOfPage.put(h.seq(), h.lease()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long seq = rs.getLong(1);
                    Leases.Lease lease = leasesOfPage.get(seq);
                    MessageState state = lease != null ? MessageState.IN_FLIGHT : MessageState.fromCode(rs.getInt(4));
                    int attempt = lease != null ? lease.attempt : rs.getInt(7);
                    Instant updatedAt = Instant.ofEpochMilli(lease != null ? lease.claimedAt : rs.getLong(10));
                    bySeq.put(seq, new MessageSummary(rs.getString(2), rs.getString(3), state, rs.getInt(5), rs.getString(6),
                            attempt, rs.getInt(8), Instant.ofEpochMilli(rs.getLong(9)), updatedAt, rs.getString(11),
                            rs.getString(12), rs.getString(13)));
                }
            }
        }
        List<MessageSummary> summaries = new ArrayList<>(page.size());
        for (Hit hit : page) {
            MessageSummary summary = bySeq.get(hit.seq());
            if (summary != null) {
                summaries.add(summary);
            }
        }
        return summaries;
    }
}
