package dev.postroom.server.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.postroom.InvalidMessageException;
import dev.postroom.store.StoreUnavailableException;
import dev.postroom.server.auth.AuthDatabase;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The audit log: one entry per operator action — who did what, when, to which queue, message,
 * user or token, and from which address. Kept in the {@link AuthDatabase} beside users and
 * tokens — the {@code audit} table of {@code auth.db} with the embedded store, the shared
 * {@code audit_log} table on PostgreSQL, where every node writes and reads the same log — newest
 * first, for {@link #RETENTION}.
 * <pre>{@code
 * audit.record(AuditLog.user("alice"), "queue.purge", "queue", "refunds",
 *         Map.of("purged", 12, "states", List.of("DEAD")), "203.0.113.7");
 * AuditPage page = audit.browse(AuditQuery.builder().target("refunds").build());
 * }</pre>
 *
 * <p><b>What is recorded.</b> Actions that change state on an operator's say-so, after they
 * succeeded; a refused or failed request changes nothing and leaves no entry. Sending, receiving
 * and settling messages is data traffic and is never recorded. The actions in use:
 * <ul>
 *   <li>queues: {@code queue.create}, {@code queue.update}, {@code queue.delete}, {@code queue.pause},
 *       {@code queue.resume}, {@code queue.purge}, {@code queue.redrive};</li>
 *   <li>messages: {@code message.retry}, {@code message.cancel}, {@code message.delete},
 *       {@code message.resend}; dead messages in bulk: {@code dead.redrive}, {@code dead.delete};</li>
 *   <li>topics: {@code topic.create}, {@code topic.delete}, {@code subscription.create},
 *       {@code subscription.update}, {@code subscription.delete} (target: the topic);</li>
 *   <li>access: {@code token.create}, {@code token.revoke}, {@code user.add}, {@code user.passwd},
 *       {@code user.role}, {@code user.remove}, {@code user.login}, {@code user.login_failed}.</li>
 * </ul>
 * Any dotted lower-case verb is accepted, so a new action needs no change here; name it
 * {@code <thing>.<verb>} like these.
 *
 * <p><b>Bounds.</b> Actor, target and address are cut to {@value #MAX_TEXT_CHARS} characters
 * (marked with {@code …}) and control characters become spaces, so that an entry always prints on
 * one line. A detail whose JSON is longer than {@value #MAX_DETAIL_CHARS} characters is replaced by
 * {@code {"chars": N, "preview": "...", "truncated": true}}. Keys are written in sorted order. Never put a secret (a token, a
 * password) into the detail: entries are readable with the {@code read} scope.
 *
 * <p><b>Durability and retention.</b> {@link #record} returns once the entry is committed (SQLite
 * with its default full sync, or PostgreSQL); it costs one small transaction, which is fine because operator
 * actions are rare. Each record, and opening the log, also deletes entries older than
 * {@link #RETENTION}, in the same transaction; a log nobody writes to keeps its old entries until
 * the next write.
 *
 * <p><b>Ids.</b> Ids only grow and are never reused after pruning (SQLite {@code AUTOINCREMENT}, a
 * PostgreSQL identity column): the browse cursor is the last id seen.
 *
 * <p>Thread-safe: every call takes a pooled connection.
 */
public final class AuditLog implements AutoCloseable {
    /** How long entries are kept: a quarter of operations, long enough to answer "who did this last month". */
    public static final Duration RETENTION = Duration.ofDays(90);
    /** The longest actor, target or address; longer ones are cut. */
    public static final int MAX_TEXT_CHARS = 200;
    /** The longest detail JSON; a longer one is replaced by a truncation marker with a preview. */
    public static final int MAX_DETAIL_CHARS = 4096;
    private static final int PREVIEW_CHARS = 1000;
    private static final Pattern ACTION = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+");
    private static final Pattern TARGET_TYPE = Pattern.compile("[a-z][a-z0-9_]*");
    private static final int MAX_ACTION_CHARS = 64;
    private static final int MAX_TARGET_TYPE_CHARS = 32;
    private final AuthDatabase database;
    private final boolean ownsDatabase;
    private final InstantSource clock;
    /** Keys sorted, so that a detail reads the same however the caller built its map. */
    private final ObjectMapper json = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    private AuditLog(AuthDatabase database, boolean ownsDatabase, InstantSource clock) {
        this.database = database;
        this.ownsDatabase = ownsDatabase;
        this.clock = clock;
    }

    /**
     * Opens the audit log in {@code auth.db} in {@code dataDir}, creating and migrating the database
     * if needed, and prunes entries older than {@link #RETENTION}.
     *
     * @param clock the time entries are stamped with and retention is measured against
     * @throws StoreUnavailableException when the database cannot be opened or migrated
     */
    public static AuditLog open(Path dataDir, InstantSource clock) {
        return open(AuthDatabase.sqlite(dataDir), true, clock);
    }

    /**
     * Opens the audit log in {@code database} and prunes entries older than {@link #RETENTION}.
     * The database stays open when the log is closed: users and tokens may share it.
     *
     * @param clock the time entries are stamped with and retention is measured against
     * @throws StoreUnavailableException when the database cannot be written
     */
    public static AuditLog open(AuthDatabase database, InstantSource clock) {
        return open(database, false, clock);
    }

    private static AuditLog open(AuthDatabase database, boolean ownsDatabase, InstantSource clock) {
        AuditLog log = new AuditLog(database, ownsDatabase, clock);
        try {
            log.prune();
            return log;
        } catch (RuntimeException e) {
            log.close();
            throw new StoreUnavailableException("cannot open the audit log in " + database + ": " + e.getMessage(), e);
        }
    }

    /** The actor for a console user: {@code user:<username>}. */
    public static String user(String username) {
        return "user:" + username;
    }

    /**
     * The actor for an API token: {@code token:<name>/<id>}. Names need not be unique, so the id
     * (which never contains {@code /}) tells two tokens of the same name apart.
     */
    public static String token(String name, String id) {
        return "token:" + name + "/" + id;
    }

    /**
     * Records one operator action, stamped with the clock's time, and returns it with its id. Call
     * it after the action succeeded.
     *
     * @param actor      who acted, from {@link #user} or {@link #token}; required
     * @param action     a dotted lower-case verb such as {@code queue.pause} (see the class comment)
     * @param targetType {@code queue}, {@code message}, {@code user}, {@code token}, …; null when there is no target
     * @param target     the queue name, message id, user name or token id; may be null
     * @param detail     small facts about the action (counts, states, a policy) as JSON-able values; null for none.
     *                   Never a secret
     * @param address    the client's IP address; null when not known
     * @throws IllegalArgumentException  for a blank actor, a malformed action or target type, or a detail Jackson cannot write
     * @throws StoreUnavailableException when the entry could not be written
     */
    public AuditEntry record(String actor, String action, String targetType, String target, Map<String, ?> detail, String address) {
        if (actor == null || actor.isBlank()) {
            throw new IllegalArgumentException("an audit entry needs an actor");
        }
        if (action == null || action.length() > MAX_ACTION_CHARS || !ACTION.matcher(action).matches()) {
            throw new IllegalArgumentException("action must be a dotted lower-case verb such as queue.pause, was " + action);
        }
        if (targetType != null && (targetType.length() > MAX_TARGET_TYPE_CHARS || !TARGET_TYPE.matcher(targetType).matches())) {
            throw new IllegalArgumentException("target type must be a lower-case word such as queue, was " + targetType);
        }
        String cleanActor = bounded(actor);
        String cleanTarget = bounded(target);
        String cleanAddress = bounded(address);
        String detailJson = detailJson(detail);
        Instant now = clock.instant();
        try {
            long id = database.inTransaction(c -> {
                long inserted;
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO audit_log (at, actor, action, target_type, target, detail, address) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
                    ps.setLong(1, now.toEpochMilli());
                    ps.setString(2, cleanActor);
                    ps.setString(3, action);
                    ps.setString(4, targetType);
                    ps.setString(5, cleanTarget);
                    ps.setString(6, detailJson);
                    ps.setString(7, cleanAddress);
                    try (ResultSet keys = ps.executeQuery()) {
                        keys.next();
                        inserted = keys.getLong(1);
                    }
                }
                deleteBefore(c, now.minus(RETENTION));
                return inserted;
            });
            return new AuditEntry(id, Instant.ofEpochMilli(now.toEpochMilli()), cleanActor, action, targetType, cleanTarget,
                    detailJson, cleanAddress);
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /**
     * One page of entries matching {@code query}, newest first.
     *
     * @throws InvalidMessageException naming {@code limit}, {@code until} or {@code after} when the query is out of range
     */
    public AuditPage browse(AuditQuery query) {
        if (query.limit() < 1 || query.limit() > AuditQuery.MAX_LIMIT) {
            throw new InvalidMessageException("limit", "must be 1–" + AuditQuery.MAX_LIMIT + ", was " + query.limit());
        }
        if (query.since() != null && query.until() != null && !query.until().isAfter(query.since())) {
            throw new InvalidMessageException("until", "must be after since");
        }
        Long before = query.after() == null ? null : cursor(query.after());
        StringBuilder sql = new StringBuilder("SELECT id, at, actor, action, target_type, target, detail, address FROM audit_log WHERE 1 = 1");
        List<Object> arguments = new ArrayList<>();
        condition(sql, arguments, " AND actor = ?", query.actor());
        condition(sql, arguments, " AND action = ?", query.action());
        condition(sql, arguments, " AND target = ?", query.target());
        condition(sql, arguments, " AND at >= ?", query.since() == null ? null : query.since().toEpochMilli());
        condition(sql, arguments, " AND at < ?", query.until() == null ? null : query.until().toEpochMilli());
        condition(sql, arguments, " AND id < ?", before);
        sql.append(" ORDER BY id DESC LIMIT ?");
        arguments.add(query.limit() + 1); // one more than asked tells whether a next page exists
        List<AuditEntry> entries;
        try {
            entries = database.withConnection(c -> {
                List<AuditEntry> found = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                    for (int i = 0; i < arguments.size(); i++) {
                        ps.setObject(i + 1, arguments.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            found.add(new AuditEntry(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3), rs.getString(4),
                                    rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8)));
                        }
                    }
                }
                return found;
            });
        } catch (SQLException e) {
            throw failure(e);
        }
        if (entries.size() <= query.limit()) {
            return new AuditPage(entries, null);
        }
        List<AuditEntry> page = entries.subList(0, query.limit());
        return new AuditPage(page, Long.toString(page.getLast().id()));
    }

    private static void condition(StringBuilder sql, List<Object> arguments, String clause, Object value) {
        if (value != null) {
            sql.append(clause);
            arguments.add(value);
        }
    }

    private static long cursor(String after) {
        try {
            long id = Long.parseLong(after);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new InvalidMessageException("after", "is not a cursor from a previous page");
    }

    /** Deletes entries older than {@link #RETENTION}; returns how many. */
    int prune() {
        try {
            return database.withConnection(c -> deleteBefore(c, clock.instant().minus(RETENTION)));
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private int deleteBefore(Connection connection, Instant cutoff) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM audit_log WHERE at < ?")) {
            ps.setLong(1, cutoff.toEpochMilli());
            return ps.executeUpdate();
        }
    }

    private String detailJson(Map<String, ?> detail) {
        if (detail == null || detail.isEmpty()) {
            return "{}";
        }
        String text;
        try {
            text = json.writeValueAsString(detail);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit detail cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
        if (text.length() <= MAX_DETAIL_CHARS) {
            return text;
        }
        Map<String, Object> marker = new LinkedHashMap<>();
        marker.put("truncated", true);
        marker.put("chars", text.length());
        marker.put("preview", cut(text, PREVIEW_CHARS));
        try {
            return json.writeValueAsString(marker);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of a boolean, a number and a string is always JSON", e);
        }
    }

    /** Control characters become spaces (an entry prints on one line), and the text is cut to {@value #MAX_TEXT_CHARS}. */
    static String bounded(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder clean = new StringBuilder(Math.min(text.length(), MAX_TEXT_CHARS + 1));
        for (int i = 0; i < text.length() && clean.length() <= MAX_TEXT_CHARS; i++) {
            char c = text.charAt(i);
            clean.append(Character.isISOControl(c) ? ' ' : c);
        }
        return cut(clean.toString(), MAX_TEXT_CHARS);
    }

    /** At most {@code max} characters, the last one {@code …} when cut, never splitting a surrogate pair. */
    static String cut(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "…";
    }

    private static StoreUnavailableException failure(SQLException e) {
        return new StoreUnavailableException("audit log: " + e.getMessage(), e);
    }

    /** Closes the database when this log opened it ({@link #open(Path, InstantSource)}); otherwise its opener closes it. Idempotent. */
    @Override
    public void close() {
        if (ownsDatabase) {
            database.close();
        }
    }
}
