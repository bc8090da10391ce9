package dev.postroom.store.postgres;

import dev.postroom.store.jdbc.Statements;
import dev.postroom.store.jdbc.Dialect;
import dev.postroom.store.jdbc.TransitionUpdate;
import dev.postroom.store.jdbc.WorkflowRows;
import dev.postroom.store.Transition;
import dev.postroom.store.jdbc.StateSql;
import dev.postroom.MessageNotFoundException;
import dev.postroom.MessageState;
import dev.postroom.QueueNotFoundException;
import dev.postroom.QueuePolicy;
import dev.postroom.StaleLeaseException;
import dev.postroom.store.MessageIds;
import dev.postroom.store.ClaimRequest;
import dev.postroom.store.ClaimedMessage;
import dev.postroom.store.Completion;
import dev.postroom.store.Failure;
import dev.postroom.store.LeaseExtension;
import dev.postroom.store.LimitKeys;
import dev.postroom.store.MessageAction;
import dev.postroom.store.NewMessage;
import dev.postroom.store.ProgressReport;
import dev.postroom.store.RetryPlanner;
import dev.postroom.store.SendBatch;
import dev.postroom.store.SendOutcome;
import dev.postroom.store.Settlement;
import dev.postroom.UniqueKeyConflictException;
import dev.postroom.store.Snooze;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Every write of the PostgreSQL store. Each method runs inside a transaction the caller opened on
 * {@code connection} and commits; a method that throws leaves the caller to roll back, so a
 * rejected command writes nothing. Each transition appends its timeline entry in the same UPDATE
 * ({@code timeline || jsonb_build_object(...)}), so no row is read to be rewritten.
 *
 * <p>Leases are columns of the row (state IN_FLIGHT, {@code lease_id}, {@code lease_expires_at},
 * {@code lease_node}), so every node sees them: a settle is an UPDATE guarded by the state
 * IN_FLIGHT and {@code lease_id = ?}, and a stale lease is one that guard no longer matches.
 */
final class MessageWrites {
    /** A queue's unfinished messages, before it is deleted. Parameter: queue. */
    private static final String COUNT_UNFINISHED = StateSql.expand("SELECT count(*) FROM messages WHERE queue = ? AND state IN ({UNFINISHED})");
    /** Queues with a SCHEDULED message whose time came. Parameter: now. */
    private static final String QUEUES_WITH_DUE = StateSql.expand("SELECT name FROM queues q WHERE EXISTS "
            + "(SELECT 1 FROM messages WHERE queue = q.name AND state = {SCHEDULED} AND available_at <= ?)");
    /** The row of a live lease, locked until commit. Parameters: id, lease id. */
    private static final String LOCK_LEASE = StateSql.expand("SELECT queue, ordering_key, attempt, max_attempts FROM messages "
            + "WHERE id = ? AND state = {IN_FLIGHT} AND lease_id = ? FOR UPDATE");
    /** A live lease's new end. Parameters: expires at, id, lease id. */
    private static final String EXTEND = StateSql.expand(
            "UPDATE messages SET lease_expires_at = ? WHERE id = ? AND state = {IN_FLIGHT} AND lease_id = ?");
    /** A held message's progress. Parameters: percent, note, id, lease id. */
    private static final String PROGRESS = StateSql.expand(
            "UPDATE messages SET progress_percent = ?, progress_note = ? WHERE id = ? AND state = {IN_FLIGHT} AND lease_id = ?");
    /** Leases that ended, oldest first, a bounded number per pass, skipping rows another node is settling. Parameter: now. */
    private static final String EXPIRED_LEASES = StateSql.expand("SELECT id, queue, ordering_key, attempt, max_attempts FROM messages "
            + "WHERE state = {IN_FLIGHT} AND lease_expires_at < ? ORDER BY lease_expires_at LIMIT 1000 FOR UPDATE SKIP LOCKED");


    /** Ends a lease (every settle; a failed attempt also clears its progress). */
    private static final String CLEAR_LEASE = "lease_id = NULL, lease_expires_at = NULL, lease_node = NULL";

    /** The columns of the transitions written over and over, built once (see TransitionUpdate). */
    private static final TransitionUpdate.Standard UPDATES = TransitionUpdate.standard(Dialect.POSTGRES, false);
    /** A held workflow step → READY if it is still held: the transition, then id and the held time. */
    private static final TransitionUpdate RELEASED = TransitionUpdate.shapedLike(Dialect.POSTGRES,
            Transition.released(Instant.EPOCH, "", ""), 0);
    private static final String RELEASE = StateSql.expand("UPDATE messages SET " + RELEASED.set()
            + " WHERE id = ? AND state = {SCHEDULED} AND available_at = ? RETURNING queue");
    /** A failed attempt of a held message: the transition, then id. */
    private static final String FAIL = "UPDATE messages SET " + UPDATES.failed().set() + ", " + CLEAR_LEASE + " WHERE id = ?";

    /** An ack: the transition, the result, then id and lease id. */
    private static final String ACK = StateSql.expand("UPDATE messages SET " + UPDATES.acked().set() + ", result = ?, " + CLEAR_LEASE
            + " WHERE id = ? AND state = {IN_FLIGHT} AND lease_id = ? RETURNING queue, ordering_key");
    /** Every DEAD message of a queue → READY: the transition, then queue. */
    private static final String REDRIVE = StateSql.expand("UPDATE messages SET " + UPDATES.redriven().set() + " WHERE queue = ? AND state = {DEAD}");
    /** Messages past their TTL and not handed out yet → DEAD, a bounded number per pass: the transition, then now. */
    private static final String EXPIRE_TTL = StateSql.expand("UPDATE messages SET " + UPDATES.expired().set() + " WHERE id IN (SELECT id FROM messages "
            + "WHERE expires_at IS NOT NULL AND state IN ({WAITING}) AND expires_at <= ? LIMIT 1000 FOR UPDATE SKIP LOCKED)");

    /**
     * What a claim's UPDATE writes besides the lease, from a {@code leasing(at, node)} row joined in:
     * the lease's time and node, and the IN_FLIGHT entry (no earlier than the entry before it, as
     * every PostgreSQL timeline entry: see Dialect), which a message still on its happy path (never
     * leased, timeline implied) leaves implied (see V13).
     */
    static final String LEASED_ENTRY = "claimed_at = greatest(leasing.at, m.enqueued_at), claim_node = leasing.node,"
            + " timeline = CASE WHEN m.timeline IS NULL AND m.attempt = 0 THEN NULL ELSE " + Dialect.POSTGRES.timeline("m.")
            + " || jsonb_build_array(jsonb_build_array(greatest(leasing.at, " + Dialect.POSTGRES.lastEntryAt("m.")
            + "), 'IN_FLIGHT', leasing.node, m.attempt + 1, '" + Transition.LEASED + "')) END";

    /**
     * The claim, as one statement. The inner SELECT picks the best READY rows of the queue that no
     * other claim holds ({@code SKIP LOCKED}): not past their TTL, and for a keyed message, only when
     * no message of its key is leased and none stored earlier ({@code seq}, drawn at insert, not the
     * id a node minted from its own clock) is unfinished — the FIFO rule, checked on the rows
     * themselves, so it holds across nodes. The outer UPDATE leases them and appends
     * the IN_FLIGHT entry (no earlier than the entry before it, as every PostgreSQL timeline entry: see Dialect). Parameters:
     * queue, now, limit, lease id, lease expiry, node, updated at, leased at, node.
     */
    static final String CLAIM = StateSql.expand("""
            WITH picked AS (
                SELECT id FROM messages m
                WHERE queue = ? AND state = {READY}
                  AND (expires_at IS NULL OR expires_at > ?)
                  AND (ordering_key IS NULL OR NOT EXISTS (
                        SELECT 1 FROM messages o
                        WHERE o.queue = m.queue AND o.ordering_key = m.ordering_key
                          AND o.state IN ({UNFINISHED}) AND (o.seq < m.seq OR o.state = {IN_FLIGHT})))
                ORDER BY priority DESC, id
                LIMIT ?
                FOR UPDATE SKIP LOCKED)
            UPDATE messages m
            SET state = {IN_FLIGHT}, attempt = attempt + 1, lease_id = ?, lease_expires_at = ?, lease_node = ?, updated_at = ?,
            """ + LEASED_ENTRY + "\n" + """
            FROM picked, (VALUES (?::bigint, ?::text)) AS leasing(at, node) WHERE m.id = picked.id
            RETURNING m.id, m.payload, m.headers, m.priority, m.ordering_key, m.attempt, m.max_attempts, m.enqueued_at""");

    private final PostgresJson json;
    private final String channel;
    /**
     * The tables qualified by the store's schema, for the statements of a send: a send may run on a
     * caller's connection ({@link TransactionalSend}), whose search path is the caller's own.
     */
    private final String messagesTable;
    private final String queuesTable;
    private final LimitedClaims limited;

    /** @param schema the store's schema, quoted as an identifier where it needs to be */
    MessageWrites(PostgresJson json, String channel, String schema) {
        this.json = json;
        this.channel = channel;
        this.messagesTable = schema + ".messages";
        this.queuesTable = schema + ".queues";
        this.limited = new LimitedClaims(json);
    }

    // ------------------------------------------------------------------ queues

    boolean upsertQueue(Connection c, String name, QueuePolicy policy, Instant now) throws SQLException {
        String wanted = json.writePolicy(policy);
        String current = policyText(c, name);
        if (wanted.equals(current)) {
            return false; // every node creating its queues at start: nothing to write, no send held off
        }
        if (current == null || LimitKeys.sameSource(json.readPolicy(current), policy)) {
            // No message needs re-keying, so sends need not be held off: write only if no one changed
            // the row since it was read (else take the locking path below).
            Boolean created = writeIfUnchanged(c, name, wanted, current, now);
            if (created != null) {
                if (current != null) {
                    changedLimits(c, name, json.readPolicy(current), policy);
                }
                return created;
            }
        }
        QueuePolicy before = lockForPolicyChange(c, name);
        boolean created;
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO queues (name, policy, paused, created_at) VALUES (?, ?, false, ?) "
                        + "ON CONFLICT (name) DO UPDATE SET policy = excluded.policy RETURNING (xmax = 0)")) {
            ps.setString(1, name);
            ps.setString(2, json.writePolicy(policy));
            ps.setLong(3, now.toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                created = rs.getBoolean(1);
            }
        }
        if (before != null) {
            changedLimits(c, name, before, policy);
        }
        return created;
    }

    private static String policyText(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT policy FROM queues WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Creates the queue, or replaces its policy if it still reads {@code current}; null when another change came first. */
    private static Boolean writeIfUnchanged(Connection c, String name, String wanted, String current, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(current == null
                ? "INSERT INTO queues (name, policy, paused, created_at) VALUES (?, ?, false, ?) ON CONFLICT (name) DO NOTHING"
                : "UPDATE queues SET policy = ? WHERE name = ? AND policy = ?")) {
            if (current == null) {
                ps.setString(1, name);
                ps.setString(2, wanted);
                ps.setLong(3, now.toEpochMilli());
            } else {
                ps.setString(1, wanted);
                ps.setString(2, name);
                ps.setString(3, current);
            }
            return ps.executeUpdate() == 1 ? current == null : null;
        }
    }

    /**
     * Class of the advisory locks between sends and policy changes of a queue (the second key is
     * the queue name's hash): a send holds it shared from before it reads the policy until it
     * commits, a policy change exclusively. So a policy change that moves where the limit keys come
     * from re-keys every message sent before it, and every send after it reads the new policy; no
     * message is left with a key the queue no longer walks.
     */
    static final int POLICY_LOCK = 0x506f5354;

    /** Waits for the queue's sends in progress, holds off new ones, and returns the policy before the change (null for a new queue). */
    private QueuePolicy lockForPolicyChange(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
            ps.setInt(1, POLICY_LOCK);
            ps.setString(2, name);
            ps.execute();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT policy FROM queues WHERE name = ? FOR NO KEY UPDATE")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? json.readPolicy(rs.getString(1)) : null;
            }
        }
    }

    /** As the embedded store: limits count afresh after a change, and a new key source re-keys the waiting messages. */
    private void changedLimits(Connection c, String name, QueuePolicy before, QueuePolicy after) throws SQLException {
        if (LimitKeys.limitsChanged(before, after)) {
            limited.reset(c, name);
        }
        if (!LimitKeys.sameSource(before, after)) {
            Statements.rekeyUnfinished(c, Dialect.POSTGRES, name, after);
        }
    }

    Void setPaused(Connection c, String name, boolean paused) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE queues SET paused = ? WHERE name = ?")) {
            ps.setBoolean(1, paused);
            ps.setString(2, name);
            if (ps.executeUpdate() == 0) {
                throw new QueueNotFoundException(name);
            }
        }
        if (!paused) {
            notify(c, name);
        }
        return null;
    }

    Void deleteQueue(Connection c, String name, boolean force) throws SQLException {
        // Waits for the queue's sends in progress (they hold POLICY_LOCK shared until they commit),
        // so that none commits a message into the queue after its messages are deleted.
        if (lockForPolicyChange(c, name) == null) {
            throw new QueueNotFoundException(name);
        }
        long unfinished;
        try (PreparedStatement ps = c.prepareStatement(COUNT_UNFINISHED)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                unfinished = rs.getLong(1);
            }
        }
        Statements.deleteQueue(c, name, unfinished, force);
        limited.reset(c, name);
        return null;
    }

    private record QueueRow(QueuePolicy policy, boolean paused) {
    }

    private void requireQueue(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + queuesTable + " WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new QueueNotFoundException(name);
                }
            }
        }
    }

    /** Wakes the consumers of every node (delivered when the transaction commits; repeats within one are merged). */
    private void notify(Connection c, String queue) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, channel);
            ps.setString(2, queue);
            ps.execute();
        }
    }

    // ------------------------------------------------------------------ sends

    List<SendOutcome> send(Connection c, SendBatch batch) throws SQLException {
        return send(c, batch, null);
    }

    /** Stores {@code batch}; its messages are members of the batch {@code batchId}, unless it is null. */
    List<SendOutcome> send(Connection c, SendBatch batch, String batchId) throws SQLException {
        Set<String> queues = new LinkedHashSet<>();
        Map<String, Set<String>> keysByQueue = new HashMap<>();
        for (NewMessage m : batch.messages()) {
            queues.add(m.queue());
            if (m.idempotencyKey() != null) {
                keysByQueue.computeIfAbsent(m.queue(), q -> new HashSet<>()).add(m.idempotencyKey());
            }
        }
        Map<String, QueuePolicy> policies = new HashMap<>();
        for (String queue : queues) {
            policies.put(queue, policyForSend(c, queue));
        }
        Map<String, SendOutcome> retained = new HashMap<>();
        for (Map.Entry<String, Set<String>> entry : keysByQueue.entrySet()) {
            findIdempotent(c, entry.getKey(), entry.getValue(), retained);
        }

        lockSendKeys(c, batch);
        List<SendOutcome> outcomes = new ArrayList<>(batch.messages().size());
        List<NewMessage> toInsert = new ArrayList<>(batch.messages().size());
        for (NewMessage m : batch.messages()) {
            String key = m.idempotencyKey() == null ? null : m.queue() + '\u0000' + m.idempotencyKey();
            SendOutcome first = key == null ? null : retained.get(key);
            if (first != null) {
                outcomes.add(new SendOutcome(first.id(), first.state(), true));
                continue;
            }
            if (m.uniqueKey() != null) {
                String holder = unfinishedWithUniqueKey(c, m.queue(), m.uniqueKey());
                if (holder != null) {
                    throw new UniqueKeyConflictException(m.queue(), m.uniqueKey(), holder);
                }
            }
            if (m.debounceKey() != null) {
                SendOutcome merged = mergeIntoPending(c, m, batch, policies.get(m.queue()));
                if (merged != null) {
                    outcomes.add(merged);
                    continue;
                }
            }
            SendOutcome outcome = new SendOutcome(m.id(), initialState(m, batch.now()), false);
            outcomes.add(outcome);
            if (key != null) {
                retained.put(key, outcome);
            }
            toInsert.add(m);
        }
        // One statement per batch: with reWriteBatchedInserts the driver sends it as multi-row INSERTs.
        // A batch member's insert names batch_id too; a send outside any batch binds what it always did.
        try (PreparedStatement insert = c.prepareStatement((batchId == null ? INSERT : INSERT_MEMBER).formatted(messagesTable))) {
            UUID member = batchId == null ? null : UUID.fromString(batchId);
            for (NewMessage m : toInsert) {
                bindInsert(insert, json, m, batch, policies.get(m.queue()));
                if (member != null) {
                    insert.setObject(17, member);
                }
                insert.addBatch();
            }
            if (!toInsert.isEmpty()) {
                insert.executeBatch();
            }
        }
        for (NewMessage m : toInsert) {
            if (m.uniqueKey() != null || m.debounceKey() != null) {
                writeSendKeys(c, m);
            }
        }
        // Delayed sends too: an idle consumer elsewhere sleeps until the earliest due time it knew of.
        for (NewMessage m : toInsert) {
            if (queues.remove(m.queue())) {
                notify(c, m.queue());
            }
        }
        return outcomes;
    }

    /**
     * Serialises the sends of each unique or debounce key of the batch across every node until this
     * transaction ends: the look for a holder and the write that follows must not interleave with
     * another's. Taken in one sorted order, so two batches with the same keys never deadlock.
     */
    private static void lockSendKeys(Connection c, SendBatch batch) throws SQLException {
        java.util.SortedSet<String> keys = new java.util.TreeSet<>();
        for (NewMessage m : batch.messages()) {
            if (m.uniqueKey() != null) {
                keys.add(m.queue() + '\u001f' + "unique" + '\u001f' + m.uniqueKey());
            }
            if (m.debounceKey() != null) {
                keys.add(m.queue() + '\u001f' + "debounce" + '\u001f' + m.debounceKey());
            }
        }
        if (keys.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
            for (String key : keys) {
                ps.setString(1, key);
                ps.execute();
            }
        }
    }

    private String unfinishedWithUniqueKey(Connection c, String queue, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(StateSql.expand("SELECT id::text FROM " + messagesTable
                + " WHERE queue = ? AND unique_key = ? AND state IN ({UNFINISHED}) LIMIT 1"))) {
            ps.setString(1, queue);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /**
     * The key's message that has not started (SCHEDULED or READY, never handed out: no attempt, no
     * snooze; a leased one is IN_FLIGHT here),
     * locked, takes {@code later}'s payload and headers and its new start; null when there is none.
     */
    private SendOutcome mergeIntoPending(Connection c, NewMessage later, SendBatch batch, QueuePolicy policy) throws SQLException {
        UUID id;
        Instant until;
        String orderingKey;
        try (PreparedStatement ps = c.prepareStatement(StateSql.expand("SELECT id, debounce_until, ordering_key FROM " + messagesTable
                + " WHERE queue = ? AND debounce_key = ? AND state IN ({WAITING}) AND attempt = 0 AND snoozes = 0"
                + " ORDER BY id DESC LIMIT 1 FOR UPDATE"))) {
            ps.setString(1, later.queue());
            ps.setString(2, later.debounceKey());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                id = rs.getObject(1, UUID.class);
                until = Instant.ofEpochMilli(rs.getLong(2));
                orderingKey = rs.getString(3);
            }
        }
        Instant start = later.availableAt().isAfter(until) ? until : later.availableAt();
        Transition into = Transition.debounced(batch.now(), batch.node(), start);
        TransitionUpdate update = TransitionUpdate.shapedLike(Dialect.POSTGRES, into, 0);
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + messagesTable + " SET " + update.set()
                + ", payload = ?, headers = ?, limit_key = ? WHERE id = ?")) {
            int i = update.bind(ps, 1, into);
            ps.setString(i++, later.payloadJson());
            ps.setString(i++, json.writeHeaders(later.headers()));
            ps.setString(i++, LimitKeys.of(policy, later.headers(), orderingKey));
            ps.setObject(i, id);
            ps.executeUpdate();
        }
        notify(c, later.queue()); // idle consumers elsewhere sleep until the start they knew of
        return new SendOutcome(id.toString(), into.to(), false, true);
    }

    private void writeSendKeys(Connection c, NewMessage m) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + messagesTable
                + " SET unique_key = ?, debounce_key = ?, debounce_until = ? WHERE id = ?")) {
            ps.setString(1, m.uniqueKey());
            ps.setString(2, m.debounceKey());
            setNullableLong(ps, 3, m.debounceUntil() == null ? null : m.debounceUntil().toEpochMilli());
            ps.setObject(4, UUID.fromString(m.id()));
            ps.executeUpdate();
        }
    }

    /**
     * The queue's policy for a send, read after taking the queue's policy lock shared (see {@link
     * #POLICY_LOCK}): two statements in one round trip, since a statement reads the snapshot taken
     * when it started, and only one that starts after the lock is granted sees a change that held it.
     */
    private QueuePolicy policyForSend(Connection c, String queue) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pg_advisory_xact_lock_shared(?, hashtext(?)); SELECT policy FROM " + queuesTable + " WHERE name = ?")) {
            ps.setInt(1, POLICY_LOCK);
            ps.setString(2, queue);
            ps.setString(3, queue);
            ps.execute();
            if (!ps.getMoreResults()) {
                throw new SQLException("no result for the queue's policy");
            }
            try (ResultSet rs = ps.getResultSet()) {
                if (!rs.next()) {
                    throw new QueueNotFoundException(queue);
                }
                return json.readPolicy(rs.getString(1));
            }
        }
    }

    /**
     * Inserts one message; the table name is formatted in. Parameters: see {@link #bindInsert}. A
     * message sent READY stores no timeline: its first entry is implied (see V13).
     */
    static final String INSERT = """
            INSERT INTO %s (id, queue, state, priority, available_at, expires_at, ordering_key, idempotency_key,
                max_attempts, enqueued_at, updated_at, payload, headers, timeline, limit_key, node)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)""";

    /** {@link #INSERT} for a batch member: its batch id is parameter 17. */
    static final String INSERT_MEMBER = """
            INSERT INTO %s (id, queue, state, priority, available_at, expires_at, ordering_key, idempotency_key,
                max_attempts, enqueued_at, updated_at, payload, headers, timeline, limit_key, node, batch_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?)""";

    /** Binds the parameters of one message of {@code batch} for {@link #INSERT}; the caller adds it to the JDBC batch. */
    static void bindInsert(PreparedStatement insert, PostgresJson json, NewMessage m, SendBatch batch, QueuePolicy policy)
            throws SQLException {
        long now = batch.now().toEpochMilli();
        MessageState state = initialState(m, batch.now());
        insert.setObject(1, UUID.fromString(m.id()));
        insert.setString(2, m.queue());
        insert.setShort(3, (short) state.code());
        insert.setShort(4, (short) m.priority());
        insert.setLong(5, m.availableAt().toEpochMilli());
        setNullableLong(insert, 6, m.expiresAt() == null ? null : m.expiresAt().toEpochMilli());
        insert.setString(7, m.orderingKey());
        insert.setString(8, m.idempotencyKey());
        insert.setInt(9, m.maxAttempts());
        insert.setLong(10, now);
        insert.setLong(11, now);
        insert.setString(12, m.payloadJson());
        insert.setString(13, json.writeHeaders(m.headers()));
        insert.setString(14, state == MessageState.READY ? null : json.firstTimelineEntry(now, state, batch.node()));
        insert.setString(15, LimitKeys.of(policy, m.headers(), m.orderingKey()));
        insert.setString(16, batch.node());
    }

    static MessageState initialState(NewMessage m, Instant now) {
        return m.availableAt().isAfter(now) ? MessageState.SCHEDULED : MessageState.READY;
    }

    private void findIdempotent(Connection c, String queue, Set<String> keys, Map<String, SendOutcome> into)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT idempotency_key, id, state FROM " + messagesTable + " WHERE queue = ? AND idempotency_key = ANY(?)")) {
            ps.setString(1, queue);
            Array array = c.createArrayOf("text", keys.toArray());
            ps.setArray(2, array);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    into.put(queue + '\u0000' + rs.getString(1), new SendOutcome(rs.getString(2), MessageState.fromCode(rs.getShort(3)), true));
                }
            }
        }
    }

    // ------------------------------------------------------------------ claims

    /** Due SCHEDULED messages of one queue → READY. Parameters: those of {@link #DUE}, then queue, at. */
    private static final String PROMOTE = StateSql.expand("UPDATE messages SET " + UPDATES.due().set()
            + " WHERE id IN (SELECT id FROM messages WHERE queue = ? AND state = {SCHEDULED} AND available_at <= ? FOR UPDATE SKIP LOCKED)");

    /**
     * A claim's opening, in one round trip: commit without waiting for the WAL flush, lock the
     * queue's row (every later statement then sees every earlier claim of the queue committed),
     * promote its due SCHEDULED messages, and count its in-flight rows. Parameters: queue; then
     * those of {@link #PROMOTE}; then queue.
     *
     * <p>Not waiting for the flush releases the row lock sooner. A claim lost to a database crash
     * leaves its messages READY with the attempt uncounted (as the embedded store's in-memory leases
     * do), and an ack, which does wait, flushes every claim before it.
     */
    private static final String OPEN_CLAIM = StateSql.expand("SET LOCAL synchronous_commit = off; "
            + "SELECT policy, paused FROM queues WHERE name = ? FOR NO KEY UPDATE; "
            + PROMOTE + "; SELECT count(*) FROM messages WHERE queue = ? AND state = {IN_FLIGHT}");


    List<ClaimedMessage> claim(Connection c, ClaimRequest request) throws SQLException {
        QueueRow queue;
        long inFlight;
        try (PreparedStatement ps = c.prepareStatement(OPEN_CLAIM)) {
            ps.setString(1, request.queue());
            int next = setPromote(ps, 2, request.queue(), request.now(), request.node());
            ps.setString(next, request.queue());
            ps.execute(); // SET LOCAL
            ps.getMoreResults();
            try (ResultSet rs = ps.getResultSet()) {
                if (!rs.next()) {
                    throw new QueueNotFoundException(request.queue());
                }
                queue = new QueueRow(json.readPolicy(rs.getString(1)), rs.getBoolean(2));
            }
            ps.getMoreResults(); // the promotion's update count
            ps.getMoreResults();
            try (ResultSet rs = ps.getResultSet()) {
                rs.next();
                inFlight = rs.getLong(1);
            }
        }
        if (queue.paused()) {
            return List.of();
        }
        int max = (int) Math.min(request.max(), queue.policy().concurrency() - inFlight);
        if (max <= 0) {
            return List.of();
        }
        QueuePolicy policy = queue.policy();
        if (policy.rateLimit() != null || policy.perKey() != null) {
            String leaseId = newLeaseId();
            return limited.claim(c, policy, request, max, leaseId, n -> claimInOrder(c, request, n, leaseId));
        }
        return claimInOrder(c, request, max, newLeaseId());
    }

    /** Rate limits and per-key limits of a queue's last claim on this node: see LimitedClaims. */
    java.util.Optional<Instant> rateLimitedUntil(String queue) {
        return limited.rateLimitedUntil(queue);
    }

    /** The claim of a queue (or of a queue with only a rate limit): one statement, in delivery order. */
    private List<ClaimedMessage> claimInOrder(Connection c, ClaimRequest request, int max, String leaseId) throws SQLException {
        long now = request.now().toEpochMilli();
        Instant expiresAt = request.now().plus(request.lease());
        // One lease id for the whole claim: a lease is (message id, lease id), and a later claim of
        // the same message always gets a new one.
        List<ClaimedMessage> claimed = new ArrayList<>(max);
        try (PreparedStatement ps = c.prepareStatement(CLAIM)) {
            ps.setString(1, request.queue());
            ps.setLong(2, now);
            ps.setInt(3, max);
            ps.setString(4, leaseId);
            ps.setLong(5, expiresAt.toEpochMilli());
            ps.setString(6, request.node());
            ps.setLong(7, now);
            ps.setLong(8, now);
            ps.setString(9, request.node());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    claimed.add(new ClaimedMessage(rs.getString(1), request.queue(), rs.getString(2),
                            json.readHeaders(rs.getString(3)), rs.getShort(4), rs.getString(5), rs.getInt(6), rs.getInt(7),
                            leaseId, expiresAt, Instant.ofEpochMilli(rs.getLong(8))));
                }
            }
        }
        // RETURNING follows no ORDER BY: hand them out in claim order.
        claimed.sort(Comparator.comparingInt(ClaimedMessage::priority).reversed().thenComparing(ClaimedMessage::id));
        return claimed;
    }

    private static String newLeaseId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return Long.toHexString(random.nextLong() | Long.MIN_VALUE) + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
    }

    /** Due SCHEDULED messages of one queue → READY; rows another node is promoting are left to it. */
    int promote(Connection c, String queue, Instant now, String node) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(PROMOTE)) {
            setPromote(ps, 1, queue, now, node);
            return ps.executeUpdate();
        }
    }

    /** Binds {@link #PROMOTE} from {@code first}; returns the index after it. */
    private static int setPromote(PreparedStatement ps, int first, String queue, Instant now, String node) throws SQLException {
        int i = UPDATES.due().bind(ps, first, Transition.due(now, node));
        ps.setString(i++, queue);
        ps.setLong(i++, now.toEpochMilli());
        return i;
    }

    /**
     * A held workflow step's message → READY, as {@code released} says, if it is still held; false
     * (nothing written) when it was cancelled, retried or deleted meanwhile.
     */
    boolean release(Connection c, String id, Transition released) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RELEASE)) {
            int i = RELEASED.bind(ps, 1, released);
            ps.setObject(i++, UUID.fromString(id));
            ps.setLong(i, WorkflowRows.HELD);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                notify(c, rs.getString(1));
                return true;
            }
        }
    }

    int promoteAll(Connection c, Instant now, String node) throws SQLException {
        List<String> due = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(QUEUES_WITH_DUE)) {
            ps.setLong(1, now.toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    due.add(rs.getString(1));
                }
            }
        }
        int count = 0;
        for (String queue : due) {
            int promoted = promote(c, queue, now, node);
            if (promoted > 0) {
                notify(c, queue);
            }
            count += promoted;
        }
        return count;
    }

    // ------------------------------------------------------------------ settling

    Settlement ack(Connection c, Completion completion) throws SQLException {
        UUID id = requireId(completion.id());
        try (PreparedStatement ps = c.prepareStatement(ACK)) {
            int i = UPDATES.acked().bind(ps, 1, Transition.acked(completion.now(), completion.node()));
            ps.setString(i++, completion.resultJson());
            ps.setObject(i++, id);
            ps.setString(i, completion.leaseId());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw staleOrMissing(c, id, completion.id(), completion.leaseId());
                }
                String queue = rs.getString(1);
                freed(c, queue, rs.getString(2));
                return new Settlement(queue, MessageState.SUCCEEDED);
            }
        }
    }

    /**
     * A settled lease freed a concurrency slot and, for a keyed message, its key. Only the key is
     * announced: it is what other nodes' idle consumers may be waiting for, and announcing every
     * ack would cost a notification per message (a freed slot is found at the next poll).
     */
    private void freed(Connection c, String queue, String orderingKey) throws SQLException {
        if (orderingKey != null) {
            notify(c, queue);
        }
    }

    Settlement nack(Connection c, Failure failure) throws SQLException {
        UUID id = requireId(failure.id());
        Lease lease = lockLease(c, id, failure.id(), failure.leaseId());
        MessageState next = failAttempt(c, lease, Transition.failed(lease.queue, lease.attempt, lease.maxAttempts, failure));
        return new Settlement(lease.queue, next);
    }

    /** The row of a live lease, locked until commit. */
    private record Lease(UUID id, String queue, String orderingKey, int attempt, int maxAttempts) {
    }

    private Lease lockLease(Connection c, UUID id, String idText, String leaseId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(LOCK_LEASE)) {
            ps.setObject(1, id);
            ps.setString(2, leaseId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw staleOrMissing(c, id, idText, leaseId);
                }
                return new Lease(id, rs.getString(1), rs.getString(2), rs.getInt(3), rs.getInt(4));
            }
        }
    }

    /** Writes a failed attempt of a held message, as {@code failed} decided it. */
    private MessageState failAttempt(Connection c, Lease lease, Transition failed) throws SQLException {
        MessageState next = failed.to();
        try (PreparedStatement ps = c.prepareStatement(FAIL)) {
            int i = UPDATES.failed().bind(ps, 1, failed);
            ps.setObject(i, lease.id);
            ps.executeUpdate();
        }
        if (next == MessageState.READY) {
            notify(c, lease.queue);
        } else if (next == MessageState.DEAD) {
            freed(c, lease.queue, lease.orderingKey);
        }
        return next;
    }

    Settlement snooze(Connection c, Snooze snooze) throws SQLException {
        UUID id = requireId(snooze.id());
        Lease lease = lockLease(c, id, snooze.id(), snooze.leaseId());
        int snoozedBefore;
        try (PreparedStatement ps = c.prepareStatement("SELECT snoozes FROM messages WHERE id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                snoozedBefore = rs.getInt(1);
            }
        }
        Transition snoozed = Transition.snoozed(snooze, lease.queue, lease.attempt, snoozedBefore);
        TransitionUpdate update = TransitionUpdate.shapedLike(Dialect.POSTGRES, snoozed, 0);
        try (PreparedStatement ps = c.prepareStatement("UPDATE messages SET " + update.set() + ", snoozes = snoozes + ?, "
                + CLEAR_LEASE + " WHERE id = ?")) {
            int i = update.bind(ps, 1, snoozed);
            ps.setInt(i++, snoozed.to() == MessageState.DEAD ? 0 : 1);
            ps.setObject(i, id);
            ps.executeUpdate();
        }
        if (snoozed.to() == MessageState.DEAD) {
            freed(c, lease.queue, lease.orderingKey);
        } else {
            // Ready now, or due later: idle consumers elsewhere wake or sleep until then.
            notify(c, lease.queue);
        }
        return new Settlement(lease.queue, snoozed.to());
    }

    Instant extend(Connection c, LeaseExtension extension) throws SQLException {
        UUID id = requireId(extension.id());
        try (PreparedStatement ps = c.prepareStatement(EXTEND)) {
            ps.setLong(1, extension.expiresAt().toEpochMilli());
            ps.setObject(2, id);
            ps.setString(3, extension.leaseId());
            if (ps.executeUpdate() == 0) {
                throw staleOrMissing(c, id, extension.id(), extension.leaseId());
            }
        }
        return Instant.ofEpochMilli(extension.expiresAt().toEpochMilli());
    }

    Void progress(Connection c, ProgressReport report) throws SQLException {
        UUID id = requireId(report.id());
        try (PreparedStatement ps = c.prepareStatement(PROGRESS)) {
            if (report.percent() == null) {
                ps.setNull(1, Types.INTEGER);
            } else {
                ps.setInt(1, report.percent());
            }
            ps.setString(2, report.note());
            ps.setObject(3, id);
            ps.setString(4, report.leaseId());
            if (ps.executeUpdate() == 0) {
                throw staleOrMissing(c, id, report.id(), report.leaseId());
            }
        }
        return null;
    }

    private static RuntimeException staleOrMissing(Connection c, UUID id, String idText, String leaseId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM messages WHERE id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new StaleLeaseException(idText, leaseId) : new MessageNotFoundException(idText);
            }
        }
    }

    private static UUID requireId(String id) {
        UUID uuid = IdBounds.parse(id);
        if (uuid == null) {
            throw new MessageNotFoundException(id);
        }
        return uuid;
    }

    // ------------------------------------------------------------------ operators

    Settlement retry(Connection c, MessageAction action) throws SQLException {
        return transition(c, action, current -> Transition.retried(action, current));
    }

    Settlement cancel(Connection c, MessageAction action) throws SQLException {
        return transition(c, action, current -> Transition.cancelled(action, current));
    }

    /** An operator's transition of one message: {@code decide} rules on it from the state the row is in. */
    private Settlement transition(Connection c, MessageAction action, java.util.function.Function<MessageState, Transition> decide)
            throws SQLException {
        UUID id = requireId(action.id());
        String queue;
        String orderingKey;
        MessageState state;
        try (PreparedStatement ps = c.prepareStatement("SELECT queue, state, ordering_key FROM messages WHERE id = ? FOR UPDATE")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new MessageNotFoundException(action.id());
                }
                queue = rs.getString(1);
                state = MessageState.fromCode(rs.getShort(2));
                orderingKey = rs.getString(3);
            }
        }
        Transition transition = decide.apply(state);
        TransitionUpdate update = TransitionUpdate.shapedLike(Dialect.POSTGRES, transition, 0);
        try (PreparedStatement ps = c.prepareStatement("UPDATE messages SET " + update.set() + ", " + CLEAR_LEASE + " WHERE id = ?")) {
            int i = update.bind(ps, 1, transition);
            ps.setObject(i, id);
            ps.executeUpdate();
        }
        if (transition.to() == MessageState.READY) {
            notify(c, queue);
        } else {
            freed(c, queue, orderingKey);
        }
        return new Settlement(queue, transition.to());
    }

    boolean delete(Connection c, String idText, MessageState onlyIn) throws SQLException {
        UUID id = IdBounds.parse(idText);
        if (id == null) {
            return false;
        }
        String sql = "DELETE FROM messages WHERE id = ?" + (onlyIn == null ? "" : " AND state = ?") + " RETURNING queue, ordering_key";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, id);
            if (onlyIn != null) {
                ps.setInt(2, onlyIn.code());
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return onlyIn == null && dev.postroom.store.jdbc.JdbcArchive.delete(c, idText);
                }
                freed(c, rs.getString(1), rs.getString(2));
                return true;
            }
        }
    }

    int redrive(Connection c, String queue, Instant now, String node) throws SQLException {
        requireQueue(c, queue);
        try (PreparedStatement ps = c.prepareStatement(REDRIVE)) {
            int i = UPDATES.redriven().bind(ps, 1, Transition.redriven(now, node));
            ps.setString(i, queue);
            int count = ps.executeUpdate();
            if (count > 0) {
                notify(c, queue);
            }
            return count;
        }
    }

    boolean rewriteBodies(Connection c, dev.postroom.store.BodyRewrite rewrite) throws SQLException {
        UUID id;
        try {
            id = UUID.fromString(rewrite.id());
        } catch (IllegalArgumentException e) {
            return false;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE messages SET payload = ?, result = ?
                WHERE id = ? AND payload = ? AND result IS NOT DISTINCT FROM ?""")) {
            ps.setString(1, rewrite.payload());
            ps.setString(2, rewrite.result());
            ps.setObject(3, id);
            ps.setString(4, rewrite.expectedPayload());
            ps.setString(5, rewrite.expectedResult());
            return ps.executeUpdate() == 1;
        }
    }

    int purge(Connection c, String queue, Set<MessageState> states) throws SQLException {
        requireQueue(c, queue);
        if (states.isEmpty()) {
            return 0;
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM messages WHERE queue = ? AND state = ANY(?)")) {
            ps.setString(1, queue);
            ps.setArray(2, c.createArrayOf("int2", states.stream().map(s -> (short) s.code()).toArray()));
            int count = ps.executeUpdate();
            if (states.contains(MessageState.IN_FLIGHT)) {
                notify(c, queue);
            }
            return count;
        }
    }

    // ------------------------------------------------------------------ maintenance

    /**
     * Fails the attempts whose lease ended, whichever node held them: the rows say so, and a node
     * that died holding leases is reclaimed by whichever node runs maintenance next. Rows another
     * node is settling right now are skipped ({@code SKIP LOCKED}): that node decides them.
     */
    int expireLeases(Connection c, Instant now, RetryPlanner planner, String node) throws SQLException {
        List<Lease> expired = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(EXPIRED_LEASES)) {
            ps.setLong(1, now.toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    expired.add(new Lease(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getInt(5)));
                }
            }
        }
        for (Lease lease : expired) {
            failAttempt(c, lease, Transition.leaseExpired(lease.queue, lease.attempt, lease.maxAttempts, planner, now, node));
        }
        return expired.size();
    }

    int expireTtl(Connection c, Instant now, String node) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(EXPIRE_TTL)) {
            int i = UPDATES.expired().bind(ps, 1, Transition.expired(now, node));
            ps.setLong(i, now.toEpochMilli());
            return ps.executeUpdate();
        }
    }

    /** The rows {@link #purgeFinished} deletes; its parameters bound by {@link #bindFinished}. */
    private static final String FINISHED = "queue = ? AND id < ? AND state = ? AND updated_at < ?" + WorkflowRows.KEEPS_UNSETTLED_STEPS;

    private static void bindFinished(PreparedStatement ps, int index, String queue, MessageState state, Instant before) throws SQLException {
        // Ids are in send-time order; anything that finished before the cutoff was sent before it.
        long cutoff = MessageIds.firstSequenceAt(before.plusMillis(1));
        ps.setString(index, queue);
        ps.setObject(index + 1, IdBounds.lowest(cutoff));
        ps.setShort(index + 2, (short) state.code());
        ps.setLong(index + 3, before.toEpochMilli());
    }

    int purgeFinished(Connection c, String queue, MessageState state, Instant before) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM messages WHERE " + FINISHED)) {
            bindFinished(ps, 1, queue, state, before);
            return ps.executeUpdate();
        }
    }

    /** As {@link #purgeFinished}, the rows moved to the archive by one statement. */
    int archiveFinished(Connection c, String queue, MessageState state, Instant before, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(dev.postroom.store.jdbc.JdbcArchive.moveStatement(
                dev.postroom.store.jdbc.Dialect.POSTGRES, FINISHED))) {
            bindFinished(ps, 1, queue, state, before);
            ps.setLong(5, now.toEpochMilli());
            return ps.executeUpdate();
        }
    }

    private static void setNullableLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value);
        }
    }
}
