package dev.postroom.store.sqlite;

import dev.postroom.store.jdbc.Statements;
import dev.postroom.store.jdbc.Dialect;
import dev.postroom.store.jdbc.TransitionUpdate;
import dev.postroom.store.jdbc.WorkflowRows;
import dev.postroom.store.Transition;
import dev.postroom.TimelineEntry;
import dev.postroom.store.jdbc.StateSql;
import dev.postroom.store.jdbc.StoredJson;
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
import dev.postroom.store.StoredQueue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Every write of the embedded store, run by the {@link GroupCommitter} thread on the one writer
 * connection inside its current transaction. Each method checks before it writes (so a rejected
 * command leaves nothing behind), keeps {@link StateCounters} in step, and appends a timeline entry
 * per transition with SQLite's own JSON functions, so no JSON is assembled by hand.
 *
 * <p>Leases are in memory ({@link Leases}): a leased row stays READY on disk, so every method that
 * looks at READY rows skips leased ones, and settling a lease writes the IN_FLIGHT timeline entry
 * together with the outcome.
 */
final class MessageWrites {
    /** Messages past their TTL and not handed out yet, a bounded number per pass. Parameter: now. */
    private static final String PAST_TTL = StateSql.expand("SELECT seq, queue, state FROM messages "
            + "WHERE expires_at IS NOT NULL AND state IN ({WAITING}) AND expires_at <= ? LIMIT 1000");

    private static final int IN_FLIGHT = MessageState.IN_FLIGHT.code();

    /**
     * The columns of the transitions written over and over, built once (see TransitionUpdate). A
     * held message's transition also writes the IN_FLIGHT entry of its lease, which lived in
     * memory until now, and its attempt count.
     */
    private static final TransitionUpdate.Standard UPDATES = TransitionUpdate.standard(Dialect.SQLITE, true);
    private static final TransitionUpdate RELEASED = TransitionUpdate.shapedLike(Dialect.SQLITE,
            Transition.released(Instant.EPOCH, "", ""), 0);

    /**
     * The best READY messages that are the oldest unfinished message of their ordering key (if
     * any). Leased rows are READY on disk too; the caller skips them, so it asks for that many more.
     * The key check is pinned to messages_ordering, which holds unfinished rows only: left to
     * itself SQLite picks messages_key (V2, same columns, every state) and would walk a key's
     * finished history on every claim. Parameters: queue, now, limit.
     */
    static final String CLAIM_CANDIDATES = StateSql.expand("""
            SELECT seq, id, payload, headers, priority, ordering_key, attempt, max_attempts, enqueued_at, expires_at
            FROM messages m
            WHERE queue = ?1 AND state = {READY}
              AND (expires_at IS NULL OR expires_at > ?2)
              AND (ordering_key IS NULL OR NOT EXISTS (
                    SELECT 1 FROM messages o INDEXED BY messages_ordering
                    WHERE o.queue = ?1 AND o.ordering_key = m.ordering_key AND o.seq < m.seq
                      AND o.state IN ({UNFINISHED})))
            ORDER BY priority DESC, seq
            LIMIT ?3""");

    /** Rows a claim query reads beyond what it hands out, kept for the next claims (see ReadyBuffer). */
    private static final int READ_AHEAD = 256;

    private final Connection connection;
    private final StateCounters counters;
    private final StoredJson json;
    private final Map<String, StoredQueue> queues;
    private final Leases leases;
    private final ReadyBuffer readyBuffer = new ReadyBuffer();
    private final LimitedClaims limited;

    private final PreparedStatement insert;
    private final PreparedStatement insertMember;
    private final PreparedStatement findIdempotent;
    private final PreparedStatement claimCandidates;
    private final PreparedStatement complete;
    private final PreparedStatement completeImplied;
    private final PreparedStatement fail;
    private final PreparedStatement promote;
    private final PreparedStatement progress;
    private final PreparedStatement stateOf;

    MessageWrites(Connection connection, StateCounters counters, StoredJson json, Map<String, StoredQueue> queues,
                  Leases leases) throws SQLException {
        this.connection = connection;
        this.leases = leases;
        this.counters = counters;
        this.json = json;
        this.queues = queues;
        // A message sent READY stores its timeline as '' (implied, see V13); parameter 17 says which.
        insert = connection.prepareStatement("""
                INSERT INTO messages (seq, id, queue, state, priority, available_at, expires_at, ordering_key,
                    idempotency_key, max_attempts, enqueued_at, updated_at, payload, headers, limit_key, node, timeline)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                    CASE WHEN ? THEN '' ELSE json_array(json_array(?, ?, ?, 0, 'sent')) END)""");
        // A batch member: the same, and its batch id (parameter 21). A statement of its own, so
        // that a send outside any batch binds exactly what it did before batches existed.
        insertMember = connection.prepareStatement("""
                INSERT INTO messages (seq, id, queue, state, priority, available_at, expires_at, ordering_key,
                    idempotency_key, max_attempts, enqueued_at, updated_at, payload, headers, limit_key, node, timeline, batch_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                    CASE WHEN ? THEN '' ELSE json_array(json_array(?, ?, ?, 0, 'sent')) END, ?)""");
        findIdempotent = connection.prepareStatement(
                "SELECT id, state FROM messages WHERE queue = ? AND idempotency_key = ?");
        claimCandidates = connection.prepareStatement(CLAIM_CANDIDATES);
        limited = new LimitedClaims(connection, leases);
        complete = connection.prepareStatement("UPDATE messages SET " + UPDATES.acked().set() + ", result = ? WHERE seq = ?");
        completeImplied = connection.prepareStatement(
                "UPDATE messages SET state = ?, updated_at = ?, attempt = 1, claimed_at = ?, result = ? "
                        + "WHERE seq = ? AND timeline = '' AND node = ?");
        fail = connection.prepareStatement("UPDATE messages SET " + UPDATES.failed().set() + " WHERE seq = ?");
        promote = connection.prepareStatement(StateSql.expand("UPDATE messages SET " + UPDATES.due().set()
                + " WHERE queue = ? AND state = {SCHEDULED} AND available_at <= ? RETURNING seq"));
        progress = connection.prepareStatement("UPDATE messages SET progress_percent = ?, progress_note = ? WHERE seq = ?");
        stateOf = connection.prepareStatement("SELECT queue, state FROM messages WHERE seq = ? AND id = ?");
    }

    // ------------------------------------------------------------------ queues

    boolean upsertQueue(String name, QueuePolicy policy, Instant now) throws SQLException {
        boolean exists = queues.containsKey(name);
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT INTO queues (name, policy, paused, created_at) VALUES (?, ?, 0, ?) "
                        + "ON CONFLICT (name) DO UPDATE SET policy = excluded.policy")) {
            ps.setString(1, name);
            ps.setString(2, json.writePolicy(policy));
            ps.setLong(3, now.toEpochMilli());
            ps.executeUpdate();
        }
        StoredQueue before = queues.get(name);
        queues.put(name, new StoredQueue(name, policy, before != null && before.paused(),
                before != null ? before.createdAt() : now));
        if (before != null) {
            changedLimits(name, before.policy(), policy);
        }
        if (!exists) {
            counters.add(name, MessageState.READY, 0);
        }
        return !exists;
    }

    /**
     * A policy change: the limits start counting afresh, and when the messages' keys now come from
     * somewhere else, the waiting messages are re-keyed in this transaction, so that the next claim
     * sees every one of them under its new key.
     */
    private void changedLimits(String name, QueuePolicy before, QueuePolicy after) throws SQLException {
        readyBuffer.invalidate(name);
        if (LimitKeys.limitsChanged(before, after)) {
            limited.forget(name);
        }
        if (!LimitKeys.sameSource(before, after)) {
            Statements.rekeyUnfinished(connection, Dialect.SQLITE, name, after);
        }
    }

    Void setPaused(String name, boolean paused) throws SQLException {
        StoredQueue queue = requireQueue(name);
        try (PreparedStatement ps = connection.prepareStatement("UPDATE queues SET paused = ? WHERE name = ?")) {
            ps.setInt(1, paused ? 1 : 0);
            ps.setString(2, name);
            ps.executeUpdate();
        }
        queues.put(name, new StoredQueue(name, queue.policy(), paused, queue.createdAt()));
        return null;
    }

    Void deleteQueue(String name, boolean force) throws SQLException {
        requireQueue(name);
        long unfinished = counters.get(name, MessageState.SCHEDULED) + counters.get(name, MessageState.READY)
                + counters.get(name, MessageState.IN_FLIGHT);
        Statements.deleteQueue(connection, name, unfinished, force);
        queues.remove(name);
        counters.remove(name);
        leases.dropQueue(name);
        readyBuffer.invalidate(name);
        limited.forget(name);
        return null;
    }

    private StoredQueue requireQueue(String name) {
        StoredQueue queue = queues.get(name);
        if (queue == null) {
            throw new QueueNotFoundException(name);
        }
        return queue;
    }

    // ------------------------------------------------------------------ sends

    List<SendOutcome> send(SendBatch batch) throws SQLException {
        return send(batch, null);
    }

    /** Stores {@code batch}; its messages are members of the batch {@code batchId}, unless it is null. */
    List<SendOutcome> send(SendBatch batch, String batchId) throws SQLException {
        PreparedStatement insert = batchId == null ? this.insert : insertMember;
        // Check everything first: a batch is all-or-nothing, and a rejected command must write nothing.
        List<SendOutcome> outcomes = new ArrayList<>(batch.messages().size());
        Map<String, SendOutcome> keysInBatch = new HashMap<>();
        List<NewMessage> toInsert = new ArrayList<>(batch.messages().size());
        List<Object[]> debounced = new ArrayList<>();
        for (NewMessage message : batch.messages()) {
            requireQueue(message.queue());
            SendOutcome duplicate = message.idempotencyKey() == null ? null
                    : keysInBatch.containsKey(message.queue() + '\u0000' + message.idempotencyKey())
                    ? keysInBatch.get(message.queue() + '\u0000' + message.idempotencyKey())
                    : findIdempotent(message.queue(), message.idempotencyKey());
            if (duplicate != null) {
                outcomes.add(new SendOutcome(duplicate.id(), duplicate.state(), true));
                continue;
            }
            if (message.uniqueKey() != null) {
                String holder = unfinishedWithUniqueKey(message.queue(), message.uniqueKey());
                if (holder != null) {
                    throw new UniqueKeyConflictException(message.queue(), message.uniqueKey(), holder);
                }
            }
            if (message.debounceKey() != null) {
                PendingDebounce pending = pendingDebounce(message.queue(), message.debounceKey());
                if (pending != null) {
                    Instant start = message.availableAt().isAfter(pending.until) ? pending.until : message.availableAt();
                    Transition into = Transition.debounced(batch.now(), batch.node(), start);
                    outcomes.add(new SendOutcome(pending.id, into.to(), false, true));
                    debounced.add(new Object[]{pending, message, into});
                    continue;
                }
            }
            MessageState state = message.availableAt().isAfter(batch.now()) ? MessageState.SCHEDULED : MessageState.READY;
            SendOutcome outcome = new SendOutcome(message.id(), state, false);
            outcomes.add(outcome);
            if (message.idempotencyKey() != null) {
                keysInBatch.put(message.queue() + '\u0000' + message.idempotencyKey(), outcome);
            }
            toInsert.add(message);
        }
        long now = batch.now().toEpochMilli();
        for (NewMessage m : toInsert) {
            MessageState state = m.availableAt().isAfter(batch.now()) ? MessageState.SCHEDULED : MessageState.READY;
            insert.setLong(1, MessageIds.sequenceOf(m.id()));
            insert.setString(2, m.id());
            insert.setString(3, m.queue());
            insert.setInt(4, state.code());
            insert.setInt(5, m.priority());
            insert.setLong(6, m.availableAt().toEpochMilli());
            setNullableLong(insert, 7, m.expiresAt() == null ? null : m.expiresAt().toEpochMilli());
            insert.setString(8, m.orderingKey());
            insert.setString(9, m.idempotencyKey());
            insert.setInt(10, m.maxAttempts());
            insert.setLong(11, now);
            insert.setLong(12, now);
            insert.setString(13, m.payloadJson());
            String insertedHeaders = m.headers().isEmpty() ? null : json.writeHeaders(m.headers());
            insert.setString(14, insertedHeaders);
            String limitKey = LimitKeys.of(queues.get(m.queue()).policy(), m.headers(), m.orderingKey());
            insert.setString(15, limitKey);
            insert.setString(16, batch.node());
            insert.setBoolean(17, state == MessageState.READY);
            insert.setLong(18, now);
            insert.setString(19, state.name());
            insert.setString(20, batch.node());
            if (batchId != null) {
                insert.setString(21, batchId);
            }
            insert.executeUpdate();
            if (m.uniqueKey() != null || m.debounceKey() != null) {
                writeSendKeys(m);
            }
            counters.add(m.queue(), state, 1);
            // A queue with per-key limits claims round-robin by key (LimitedClaims), never from the buffer.
            if (state == MessageState.READY && limitKey == null) {
                readyBuffer.becameReady(m.queue(), new ReadyBuffer.Candidate(MessageIds.sequenceOf(m.id()), m.id(),
                        m.payloadJson(), m.headers().isEmpty() ? null : insertedHeaders, m.priority(), m.orderingKey(), 0,
                        m.maxAttempts(), now, m.expiresAt() == null ? null : m.expiresAt().toEpochMilli()));
            }
        }
        for (Object[] d : debounced) {
            mergeInto((PendingDebounce) d[0], (NewMessage) d[1], (Transition) d[2]);
        }
        return outcomes;
    }

    /** The unfinished message of {@code queue} holding {@code key} (a leased one is READY on disk), or null. */
    private String unfinishedWithUniqueKey(String queue, String key) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(StateSql.expand(
                "SELECT id FROM messages WHERE queue = ? AND unique_key = ? AND state IN ({WAITING}) LIMIT 1"))) {
            ps.setString(1, queue);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** A debounced message not handed out yet. */
    private record PendingDebounce(long seq, String id, String queue, MessageState state, Instant until, String orderingKey) {
    }

    /**
     * The key's message that has not started: SCHEDULED or READY, never handed out (no attempt, no
     * snooze: a message waiting out a retry or a snooze has run), and not leased (leases live in memory).
     */
    private PendingDebounce pendingDebounce(String queue, String key) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(StateSql.expand("SELECT seq, id, state, debounce_until, ordering_key FROM messages "
                + "WHERE queue = ? AND debounce_key = ? AND state IN ({WAITING}) AND attempt = 0 AND snoozes = 0 ORDER BY seq DESC"))) {
            ps.setString(1, queue);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (leases.live(rs.getLong(1)) == null) {
                        return new PendingDebounce(rs.getLong(1), rs.getString(2), queue, MessageState.fromCode(rs.getInt(3)),
                                Instant.ofEpochMilli(rs.getLong(4)), rs.getString(5));
                    }
                }
            }
        }
        return null;
    }

    /** The later send's payload and headers into the pending message, and its new start. */
    private void mergeInto(PendingDebounce pending, NewMessage later, Transition into) throws SQLException {
        TransitionUpdate update = TransitionUpdate.shapedLike(Dialect.SQLITE, into, 0);
        try (PreparedStatement ps = connection.prepareStatement("UPDATE messages SET " + update.set()
                + ", payload = ?, headers = ?, limit_key = ? WHERE seq = ?")) {
            int i = update.bind(ps, 1, into);
            ps.setString(i++, later.payloadJson());
            ps.setString(i++, later.headers().isEmpty() ? null : json.writeHeaders(later.headers()));
            ps.setString(i++, LimitKeys.of(queues.get(later.queue()).policy(), later.headers(), pending.orderingKey));
            ps.setLong(i, pending.seq);
            ps.executeUpdate();
        }
        counters.move(pending.queue, pending.state, into.to());
        readyBuffer.invalidate(pending.queue);
    }

    private void writeSendKeys(NewMessage m) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "UPDATE messages SET unique_key = ?, debounce_key = ?, debounce_until = ? WHERE seq = ?")) {
            ps.setString(1, m.uniqueKey());
            ps.setString(2, m.debounceKey());
            setNullableLong(ps, 3, m.debounceUntil() == null ? null : m.debounceUntil().toEpochMilli());
            ps.setLong(4, MessageIds.sequenceOf(m.id()));
            ps.executeUpdate();
        }
    }

    private SendOutcome findIdempotent(String queue, String key) throws SQLException {
        findIdempotent.setString(1, queue);
        findIdempotent.setString(2, key);
        try (ResultSet rs = findIdempotent.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            String id = rs.getString(1);
            MessageState state = MessageState.fromCode(rs.getInt(2));
            return new SendOutcome(id, leases.live(MessageIds.sequenceOf(id)) != null ? MessageState.IN_FLIGHT : state, true);
        }
    }

    // ------------------------------------------------------------------ claims

    List<ClaimedMessage> claim(ClaimRequest request) throws SQLException {
        StoredQueue queue = requireQueue(request.queue());
        if (queue.paused()) {
            return List.of();
        }
        if (counters.get(request.queue(), MessageState.SCHEDULED) > 0) {
            promote(request.queue(), request.now(), request.node());
        }
        long inFlight = counters.get(request.queue(), MessageState.IN_FLIGHT);
        // A lease counts until its ack commits: "in flight" is what a crash would hand out again.
        long free = queue.policy().concurrency() - inFlight;
        int wanted = request.max();
        if (free > wanted) {
            // The caller's handlers that finished while this claim waited for the writer start now, not a commit later.
            wanted += request.moreSlots().take((int) Math.min(free - wanted, Integer.MAX_VALUE));
        }
        int max = (int) Math.min(wanted, free);
        if (max <= 0) {
            return List.of();
        }
        QueuePolicy policy = queue.policy();
        List<ClaimedMessage> claimed;
        if (policy.rateLimit() == null && policy.perKey() == null) {
            claimed = claimInOrder(request, max, inFlight);
        } else {
            // One lease id for the whole claim, as in claimInOrder.
            String leaseId = newLeaseId();
            Instant expiresAt = request.now().plus(request.lease());
            long now = request.now().toEpochMilli();
            claimed = limited.claim(request.queue(), policy, request, max, n -> claimInOrder(request, n, inFlight),
                    row -> lease(row, request, leaseId, now, expiresAt));
        }
        counters.add(request.queue(), MessageState.READY, -claimed.size());
        counters.add(request.queue(), MessageState.IN_FLIGHT, claimed.size());
        if (policy.rateLimit() != null || policy.perKey() != null) {
            if (counters.get(request.queue(), MessageState.READY) == 0) {
                limited.nothingWaiting(request.queue());
            }
        }
        return claimed;
    }

    /** Rate limits and per-key limits of a queue's last claim: see LimitedClaims. */
    java.util.Optional<Instant> rateLimitedUntil(String queue) {
        return limited.rateLimitedUntil(queue);
    }

    /** The claim of a queue without rate or per-key limits: in delivery order, from the ReadyBuffer when it can. */
    private List<ClaimedMessage> claimInOrder(ClaimRequest request, int max, long inFlight) throws SQLException {
        long now = request.now().toEpochMilli();
        Instant expiresAt = request.now().plus(request.lease());
        // One lease id for the whole claim: a lease is identified by (message id, lease id), and a
        // later claim of the same message always gets a new one.
        String leaseId = newLeaseId();
        List<ClaimedMessage> claimed = new ArrayList<>(max);
        ReadyBuffer.Candidate candidate;
        while (claimed.size() < max && (candidate = readyBuffer.poll(request.queue())) != null) {
            if (!leases.isLeased(candidate.seq()) && (candidate.expiresAt() == null || candidate.expiresAt() > now)) {
                claimed.add(lease(candidate, request, leaseId, now, expiresAt));
            }
        }
        if (claimed.size() < max && !readyBuffer.isExhaustive(request.queue())) {
            claimCandidates.setString(1, request.queue());
            claimCandidates.setLong(2, now);
            long limit = max + inFlight + READ_AHEAD;
            claimCandidates.setLong(3, limit);
            List<ReadyBuffer.Candidate> rest = new ArrayList<>();
            long rows = 0;
            try (ResultSet rs = claimCandidates.executeQuery()) {
                while (rs.next()) {
                    rows++;
                    long seq = rs.getLong(1);
                    if (leases.isLeased(seq)) {
                        continue;
                    }
                    long expires = rs.getLong(10);
                    Long rowExpiresAt = rs.wasNull() ? null : expires;
                    ReadyBuffer.Candidate row = new ReadyBuffer.Candidate(seq, rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getInt(5), rs.getString(6), rs.getInt(7), rs.getInt(8), rs.getLong(9), rowExpiresAt);
                    if (claimed.size() < max) {
                        claimed.add(lease(row, request, leaseId, now, expiresAt));
                    } else {
                        rest.add(row);
                    }
                }
            }
            // Fewer rows than asked for: nothing deliverable is left on disk beyond what the buffer holds.
            readyBuffer.keep(request.queue(), rest, rows < limit);
        }
        return claimed;
    }

    private ClaimedMessage lease(ReadyBuffer.Candidate row, ClaimRequest request, String leaseId, long now, Instant expiresAt) {
        int attempt = row.attempt() + 1;
        // A claim asked for before the send committed must not appear to precede it on the timeline.
        long claimedAt = Math.max(now, row.enqueuedAt());
        leases.add(new Leases.Lease(row.seq(), row.id(), request.queue(), row.orderingKey(), leaseId, attempt, row.maxAttempts(),
                claimedAt, request.node(), expiresAt.toEpochMilli()));
        return new ClaimedMessage(row.id(), request.queue(), row.payload(), json.readHeaders(row.headers()), row.priority(),
                row.orderingKey(), attempt, row.maxAttempts(), leaseId, expiresAt, Instant.ofEpochMilli(row.enqueuedAt()));
    }

    private static String newLeaseId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return Long.toHexString(random.nextLong() | Long.MIN_VALUE) + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
    }

    /** Due SCHEDULED messages of one queue → READY. */
    int promote(String queue, Instant now, String node) throws SQLException {
        int i = UPDATES.due().bind(promote, 1, Transition.due(now, node));
        promote.setString(i++, queue);
        promote.setLong(i, now.toEpochMilli());
        int count = 0;
        try (ResultSet rs = promote.executeQuery()) {
            while (rs.next()) {
                count++;
            }
        }
        if (count > 0) {
            counters.add(queue, MessageState.SCHEDULED, -count);
            counters.add(queue, MessageState.READY, count);
            readyBuffer.invalidate(queue);
        }
        return count;
    }

    /**
     * A held workflow step's message → READY, as {@code released} says, if it is still held; false
     * (nothing written) when it was cancelled, retried or deleted meanwhile.
     */
    boolean release(long seq, Transition released) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(StateSql.expand("UPDATE messages SET " + RELEASED.set()
                + " WHERE seq = ? AND state = {SCHEDULED} AND available_at = ? RETURNING queue"))) {
            int i = RELEASED.bind(ps, 1, released);
            ps.setLong(i++, seq);
            ps.setLong(i, WorkflowRows.HELD);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                String queue = rs.getString(1);
                counters.move(queue, MessageState.SCHEDULED, MessageState.READY);
                readyBuffer.invalidate(queue);
                return true;
            }
        }
    }

    int promoteAll(Instant now, String node) throws SQLException {
        int count = 0;
        for (String queue : List.copyOf(queues.keySet())) {
            if (counters.get(queue, MessageState.SCHEDULED) > 0) {
                count += promote(queue, now, node);
            }
        }
        return count;
    }

    // ------------------------------------------------------------------ settling

    Settlement ack(Completion completion) throws SQLException {
        long seq = sequence(completion.id());
        Leases.Lease lease = requireLease(seq, completion.id(), completion.leaseId());
        if (!ackImplied(seq, lease, completion)) {
            int i = UPDATES.acked().bind(complete, 1, Transition.acked(completion.now(), completion.node()).withAttempt(lease.attempt),
                    lease.leasedEntry());
            complete.setString(i++, completion.resultJson());
            complete.setLong(i, seq);
            complete.executeUpdate();
        }
        settle(lease, MessageState.SUCCEEDED);
        counters.move(lease.queue, MessageState.IN_FLIGHT, MessageState.SUCCEEDED);
        return new Settlement(lease.queue, MessageState.SUCCEEDED);
    }

    /**
     * The ack of a message still on the happy path (its timeline implied, see V13): its first
     * attempt, leased and acked by the node that sent it. Writes the lease's time instead of two
     * timeline entries, so the row keeps its length; false, having written nothing, otherwise.
     */
    private boolean ackImplied(long seq, Leases.Lease lease, Completion completion) throws SQLException {
        if (lease.attempt != 1 || !lease.node.equals(completion.node())) {
            return false;
        }
        completeImplied.setInt(1, MessageState.SUCCEEDED.code());
        completeImplied.setLong(2, completion.now().toEpochMilli());
        completeImplied.setLong(3, lease.claimedAt);
        completeImplied.setString(4, completion.resultJson());
        completeImplied.setLong(5, seq);
        completeImplied.setString(6, lease.node);
        return completeImplied.executeUpdate() == 1;
    }

    Settlement nack(Failure failure) throws SQLException {
        long seq = sequence(failure.id());
        Leases.Lease lease = requireLease(seq, failure.id(), failure.leaseId());
        return new Settlement(lease.queue, failAttempt(lease, Transition.failed(lease.queue, lease.attempt, lease.maxAttempts, failure)));
    }

    Settlement snooze(Snooze snooze) throws SQLException {
        long seq = sequence(snooze.id());
        Leases.Lease lease = requireLease(seq, snooze.id(), snooze.leaseId());
        int snoozedBefore;
        try (PreparedStatement ps = connection.prepareStatement("SELECT snoozes FROM messages WHERE seq = ?")) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                snoozedBefore = rs.getInt(1);
            }
        }
        Transition snoozed = Transition.snoozed(snooze, lease.queue, lease.attempt, snoozedBefore);
        TransitionUpdate update = TransitionUpdate.shapedLike(Dialect.SQLITE, snoozed, 1);
        try (PreparedStatement ps = connection.prepareStatement("UPDATE messages SET " + update.set()
                + ", snoozes = snoozes + ? WHERE seq = ?")) {
            int i = update.bind(ps, 1, snoozed, lease.leasedEntry());
            ps.setInt(i++, snoozed.to() == MessageState.DEAD ? 0 : 1);
            ps.setLong(i, seq);
            ps.executeUpdate();
        }
        settle(lease, snoozed.to());
        counters.move(lease.queue, MessageState.IN_FLIGHT, snoozed.to());
        return new Settlement(lease.queue, snoozed.to());
    }

    private Leases.Lease requireLease(long seq, String id, String leaseId) throws SQLException {
        Leases.Lease lease = leases.live(seq);
        if (lease == null || !lease.matches(id, leaseId)) {
            throw staleOrMissing(seq, id, leaseId);
        }
        return lease;
    }

    /** Ends a lease; a freed ordering key or a message ready again may now sort ahead of buffered rows. */
    private void settle(Leases.Lease lease, MessageState next) {
        leases.settle(lease);
        if (lease.orderingKey != null || next == MessageState.READY) {
            readyBuffer.invalidate(lease.queue);
        }
    }

    /** Writes a failed attempt of a held message, as {@code failed} decided it. */
    private MessageState failAttempt(Leases.Lease lease, Transition failed) throws SQLException {
        int i = UPDATES.failed().bind(fail, 1, failed, lease.leasedEntry());
        fail.setLong(i, lease.seq);
        fail.executeUpdate();
        settle(lease, failed.to());
        counters.move(lease.queue, MessageState.IN_FLIGHT, failed.to());
        return failed.to();
    }

    Instant extend(LeaseExtension extension) throws SQLException {
        long seq = sequence(extension.id());
        Leases.Lease lease = requireLease(seq, extension.id(), extension.leaseId());
        lease.expiresAt = extension.expiresAt().toEpochMilli();
        return Instant.ofEpochMilli(lease.expiresAt);
    }

    Void progress(ProgressReport report) throws SQLException {
        long seq = sequence(report.id());
        requireLease(seq, report.id(), report.leaseId());
        setNullableLong(progress, 1, report.percent() == null ? null : report.percent().longValue());
        progress.setString(2, report.note());
        progress.setLong(3, seq);
        progress.executeUpdate();
        return null;
    }

    private RuntimeException staleOrMissing(long seq, String id, String leaseId) throws SQLException {
        stateOf.setLong(1, seq);
        stateOf.setString(2, id);
        try (ResultSet rs = stateOf.executeQuery()) {
            return rs.next() ? new StaleLeaseException(id, leaseId) : new MessageNotFoundException(id);
        }
    }

    // ------------------------------------------------------------------ operators

    Settlement retry(MessageAction action) throws SQLException {
        return transition(action, current -> Transition.retried(action, current));
    }

    Settlement cancel(MessageAction action) throws SQLException {
        return transition(action, current -> Transition.cancelled(action, current));
    }

    /**
     * An operator's transition of one message: {@code decide} rules on it from the state it is in
     * (IN_FLIGHT when leased, though READY on disk). A held message's transition ends its lease and
     * writes the lease's IN_FLIGHT entry too.
     */
    private Settlement transition(MessageAction action, java.util.function.Function<MessageState, Transition> decide)
            throws SQLException {
        long seq = sequence(action.id());
        stateOf.setLong(1, seq);
        stateOf.setString(2, action.id());
        String queue;
        MessageState state;
        try (ResultSet rs = stateOf.executeQuery()) {
            if (!rs.next()) {
                throw new MessageNotFoundException(action.id());
            }
            queue = rs.getString(1);
            state = MessageState.fromCode(rs.getInt(2));
        }
        Leases.Lease lease = leases.live(seq);
        if (lease != null) {
            state = MessageState.IN_FLIGHT;
        }
        Transition transition = decide.apply(state);
        if (lease != null) {
            transition = transition.withAttempt(lease.attempt);
        }
        TimelineEntry[] before = lease != null ? new TimelineEntry[]{lease.leasedEntry()} : new TimelineEntry[0];
        TransitionUpdate update = TransitionUpdate.shapedLike(Dialect.SQLITE, transition, before.length);
        try (PreparedStatement ps = connection.prepareStatement("UPDATE messages SET " + update.set() + " WHERE seq = ?")) {
            int i = update.bind(ps, 1, transition, before);
            ps.setLong(i, seq);
            ps.executeUpdate();
        }
        if (lease != null) {
            settle(lease, transition.to());
        }
        counters.move(queue, state, transition.to());
        readyBuffer.invalidate(queue);
        return new Settlement(queue, transition.to());
    }

    boolean delete(String id, MessageState onlyIn) throws SQLException {
        long seq = sequence(id);
        if (onlyIn != null) {
            // A leased message is IN_FLIGHT whatever its row says (leases live in memory); on this single writer
            // nothing changes between this look and the delete.
            boolean leased = leases.live(seq) != null;
            if (leased != (onlyIn == MessageState.IN_FLIGHT)) {
                return false;
            }
        }
        String sql = "DELETE FROM messages WHERE seq = ? AND id = ?"
                + (onlyIn == null || onlyIn == MessageState.IN_FLIGHT ? "" : " AND state = ?") + " RETURNING queue, state";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setLong(1, seq);
            ps.setString(2, id);
            if (onlyIn != null && onlyIn != MessageState.IN_FLIGHT) {
                ps.setInt(3, onlyIn.code());
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return onlyIn == null && dev.postroom.store.jdbc.JdbcArchive.delete(connection, id);
                }
                MessageState state = MessageState.fromCode(rs.getInt(2));
                Leases.Lease lease = leases.live(seq);
                if (lease != null) {
                    leases.settle(lease);
                    state = MessageState.IN_FLIGHT;
                }
                counters.add(rs.getString(1), state, -1);
                readyBuffer.invalidate(rs.getString(1));
                return true;
            }
        }
    }

    int redrive(String queue, Instant now, String node) throws SQLException {
        requireQueue(queue);
        try (PreparedStatement ps = connection.prepareStatement(StateSql.expand(
                "UPDATE messages SET " + UPDATES.redriven().set() + " WHERE queue = ? AND state = {DEAD}"))) {
            int i = UPDATES.redriven().bind(ps, 1, Transition.redriven(now, node));
            ps.setString(i, queue);
            int count = ps.executeUpdate();
            counters.add(queue, MessageState.DEAD, -count);
            counters.add(queue, MessageState.READY, count);
            readyBuffer.invalidate(queue);
            return count;
        }
    }

    int purge(String queue, Set<MessageState> states) throws SQLException {
        requireQueue(queue);
        int total = 0;
        for (MessageState state : states) {
            // Leased rows are READY on disk but in flight in truth; purging READY leaves them alone.
            List<Long> leased = state == MessageState.READY
                    ? leases.ofQueue(queue).stream().filter(l -> !l.settled).map(l -> l.seq).toList() : List.of();
            String exclude = leased.isEmpty() ? "" : " AND seq NOT IN (" + "?,".repeat(leased.size() - 1) + "?)";
            try (PreparedStatement ps = connection.prepareStatement("DELETE FROM messages WHERE queue = ? AND state = ?" + exclude)) {
                ps.setString(1, queue);
                ps.setInt(2, state.code());
                for (int i = 0; i < leased.size(); i++) {
                    ps.setLong(3 + i, leased.get(i));
                }
                int count = ps.executeUpdate();
                counters.add(queue, state, -count);
                total += count;
                readyBuffer.invalidate(queue);
            }
        }
        return total;
    }

    boolean rewriteBodies(dev.postroom.store.BodyRewrite rewrite) throws SQLException {
        long seq;
        try {
            seq = MessageIds.sequenceOf(rewrite.id());
        } catch (IllegalArgumentException e) {
            return false;
        }
        try (PreparedStatement ps = connection.prepareStatement("""
                UPDATE messages SET payload = ?, result = ?
                WHERE seq = ? AND id = ? AND payload = ? AND result IS ? RETURNING queue""")) {
            ps.setString(1, rewrite.payload());
            ps.setString(2, rewrite.result());
            ps.setLong(3, seq);
            ps.setString(4, rewrite.id());
            ps.setString(5, rewrite.expectedPayload());
            ps.setString(6, rewrite.expectedResult());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                // The buffer holds READY rows with their payloads: the next claim must read the new one.
                readyBuffer.invalidate(rs.getString(1));
                return true;
            }
        }
    }

    // ------------------------------------------------------------------ maintenance

    int expireLeases(Instant now, RetryPlanner planner, String node) throws SQLException {
        List<Leases.Lease> expired = leases.expiredBefore(now.toEpochMilli());
        for (Leases.Lease lease : expired) {
            failAttempt(lease, Transition.leaseExpired(lease.queue, lease.attempt, lease.maxAttempts, planner, now, node));
        }
        return expired.size();
    }

    int expireTtl(Instant now, String node) throws SQLException {
        long at = now.toEpochMilli();
        List<Object[]> rows = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(PAST_TTL)) {
            ps.setLong(1, at);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!leases.isLeased(rs.getLong(1))) {
                        rows.add(new Object[]{rs.getLong(1), rs.getString(2), rs.getInt(3)});
                    }
                }
            }
        }
        Transition expiry = Transition.expired(now, node);
        try (PreparedStatement ps = connection.prepareStatement("UPDATE messages SET " + UPDATES.expired().set() + " WHERE seq = ?")) {
            for (Object[] row : rows) {
                int i = UPDATES.expired().bind(ps, 1, expiry);
                ps.setLong(i, (Long) row[0]);
                ps.executeUpdate();
                counters.move((String) row[1], MessageState.fromCode((Integer) row[2]), MessageState.DEAD);
                readyBuffer.invalidate((String) row[1]);
            }
        }
        return rows.size();
    }

    /** The rows {@link #purgeFinished} deletes; its parameters bound by {@link #bindFinished}. */
    private static final String FINISHED = "seq < ? AND queue = ? AND state = ? AND updated_at < ?" + WorkflowRows.KEEPS_UNSETTLED_STEPS;

    private static int bindFinished(PreparedStatement ps, int index, String queue, MessageState state, Instant before) throws SQLException {
        // Rows are in id (send-time) order; anything that finished before the cutoff was sent before it.
        ps.setLong(index, (before.toEpochMilli() + 1) << 21);
        ps.setString(index + 1, queue);
        ps.setInt(index + 2, state.code());
        ps.setLong(index + 3, before.toEpochMilli());
        return index + 4;
    }

    /** The finished rows {@link #purgeFinished} would delete, copied to the archive first; on this one writer nothing changes between. */
    int archiveFinished(String queue, MessageState state, Instant before, Instant now) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(dev.postroom.store.jdbc.JdbcArchive.moveStatement(
                dev.postroom.store.jdbc.Dialect.SQLITE, FINISHED))) {
            ps.setLong(1, now.toEpochMilli());
            bindFinished(ps, 2, queue, state, before);
            ps.executeUpdate();
        }
        return purgeFinished(queue, state, before);
    }

    int purgeFinished(String queue, MessageState state, Instant before) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM messages WHERE " + FINISHED)) {
            bindFinished(ps, 1, queue, state, before);
            int count = ps.executeUpdate();
            counters.add(queue, state, -count);
            return count;
        }
    }

    /** Recounts every queue's states from the table (at start, and after a rollback). */
    void reloadCounters() throws SQLException {
        readyBuffer.invalidateAll();
        counters.clear();
        queues.keySet().forEach(q -> counters.add(q, MessageState.READY, 0));
        try (PreparedStatement ps = connection.prepareStatement("SELECT queue, state, count(*) FROM messages GROUP BY queue, state");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                counters.add(rs.getString(1), MessageState.fromCode(rs.getInt(2)), rs.getLong(3));
            }
        }
        for (String queue : List.copyOf(queues.keySet())) {
            for (Leases.Lease lease : leases.ofQueue(queue)) {
                if (!lease.settled) {
                    counters.move(queue, MessageState.READY, MessageState.IN_FLIGHT);
                }
            }
        }
        counters.publish();
    }

    private static long sequence(String id) {
        try {
            return MessageIds.sequenceOf(id);
        } catch (IllegalArgumentException e) {
            throw new MessageNotFoundException(id);
        }
    }

    private static void setNullableLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setLong(index, value);
        }
    }

}
