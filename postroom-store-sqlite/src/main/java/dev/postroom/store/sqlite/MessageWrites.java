package dev.postroom.store.sqlite;

import dev.postroom.IllegalTransitionException;
import dev.postroom.MessageNotFoundException;
import dev.postroom.MessageState;
import dev.postroom.QueueNotEmptyException;
import dev.postroom.QueueNotFoundException;
import dev.postroom.QueuePolicy;
import dev.postroom.StaleLeaseException;
import dev.postroom.engine.MessageIds;
import dev.postroom.store.ClaimRequest;
import dev.postroom.store.ClaimedMessage;
import dev.postroom.store.Completion;
import dev.postroom.store.Failure;
import dev.postroom.store.LeaseExtension;
import dev.postroom.store.MessageAction;
import dev.postroom.store.NewMessage;
import dev.postroom.store.ProgressReport;
import dev.postroom.store.RetryPlanner;
import dev.postroom.store.SendBatch;
import dev.postroom.store.SendOutcome;
import dev.postroom.store.StoredQueue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
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
 * per transition with SQLite's own {@code json_object}, so no JSON is assembled by hand.
 */
final class MessageWrites {
    private static final int IN_FLIGHT = MessageState.IN_FLIGHT.ordinal();

    /** Appends {at, state, node, attempt, reason}; parameters: at, state name, node, reason. */
    private static final String APPEND_TIMELINE =
            "timeline = json_insert(timeline, '$[#]', json_object('at', ?, 'state', ?, 'node', ?, 'attempt', attempt, 'reason', ?))";

    private final Connection connection;
    private final StateCounters counters;
    private final StoredJson json;
    private final Map<String, StoredQueue> queues;

    private final PreparedStatement insert;
    private final PreparedStatement findIdempotent;
    private final PreparedStatement claim;
    private final PreparedStatement complete;
    private final PreparedStatement findLeased;
    private final PreparedStatement fail;
    private final PreparedStatement promote;
    private final PreparedStatement expiredLeases;
    private final PreparedStatement extend;
    private final PreparedStatement progress;
    private final PreparedStatement stateOf;

    MessageWrites(Connection connection, StateCounters counters, StoredJson json, Map<String, StoredQueue> queues) throws SQLException {
        this.connection = connection;
        this.counters = counters;
        this.json = json;
        this.queues = queues;
        insert = connection.prepareStatement("""
                INSERT INTO messages (seq, id, queue, state, priority, available_at, expires_at, ordering_key,
                    idempotency_key, max_attempts, enqueued_at, updated_at, payload, headers, timeline)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                    json_array(json_object('at', ?, 'state', ?, 'node', ?, 'attempt', 0, 'reason', 'sent')))""");
        findIdempotent = connection.prepareStatement(
                "SELECT id, state FROM messages WHERE queue = ? AND idempotency_key = ?");
        // One statement leases the whole claim: the candidates are the best READY messages that are
        // the oldest unfinished message of their ordering key (if any).
        claim = connection.prepareStatement("UPDATE messages SET state = 2, attempt = attempt + 1, lease_id = ?1, "
                + "lease_expires_at = ?2, updated_at = ?3, progress_percent = NULL, progress_note = NULL, "
                + "timeline = json_insert(timeline, '$[#]', json_object('at', ?3, 'state', 'IN_FLIGHT', 'node', ?4, "
                + "'attempt', attempt + 1, 'reason', 'leased')) "
                + """
                WHERE seq IN (
                    SELECT seq FROM messages m
                    WHERE queue = ?5 AND state = 1
                      AND (expires_at IS NULL OR expires_at > ?3)
                      AND (ordering_key IS NULL OR NOT EXISTS (
                            SELECT 1 FROM messages o
                            WHERE o.queue = ?5 AND o.ordering_key = m.ordering_key AND o.seq < m.seq
                              AND o.state IN (0, 1, 2)))
                    ORDER BY priority DESC, seq
                    LIMIT ?6)
                RETURNING seq, id, payload, headers, priority, ordering_key, attempt, max_attempts, enqueued_at""");
        complete = connection.prepareStatement("UPDATE messages SET state = 3, result = ?, lease_id = NULL, "
                + "lease_expires_at = NULL, updated_at = ?, " + APPEND_TIMELINE
                + " WHERE seq = ? AND id = ? AND state = 2 AND lease_id = ? RETURNING queue");
        findLeased = connection.prepareStatement(
                "SELECT queue, state, attempt, max_attempts, lease_id FROM messages WHERE seq = ? AND id = ?");
        fail = connection.prepareStatement("UPDATE messages SET state = ?, available_at = ?, lease_id = NULL, "
                + "lease_expires_at = NULL, updated_at = ?, "
                + "errors = json_insert(coalesce(errors, '[]'), '$[#]', json_object('attempt', attempt, 'at', ?, 'message', ?, 'detail', ?)), "
                + APPEND_TIMELINE + " WHERE seq = ?");
        promote = connection.prepareStatement("UPDATE messages SET state = 1, updated_at = ?, " + APPEND_TIMELINE
                + " WHERE queue = ? AND state = 0 AND available_at <= ? RETURNING seq");
        expiredLeases = connection.prepareStatement(
                "SELECT seq, id, lease_id FROM messages WHERE state = 2 AND lease_expires_at < ? LIMIT 1000");
        extend = connection.prepareStatement("UPDATE messages SET lease_expires_at = ?, updated_at = ? "
                + "WHERE seq = ? AND id = ? AND state = 2 AND lease_id = ?");
        progress = connection.prepareStatement("UPDATE messages SET progress_percent = ?, progress_note = ?, updated_at = ? "
                + "WHERE seq = ? AND id = ? AND state = 2 AND lease_id = ?");
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
        if (!exists) {
            counters.add(name, MessageState.READY, 0);
        }
        return !exists;
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
        if (unfinished > 0 && !force) {
            throw new QueueNotEmptyException(name, unfinished);
        }
        try (PreparedStatement messages = connection.prepareStatement("DELETE FROM messages WHERE queue = ?");
             PreparedStatement queue = connection.prepareStatement("DELETE FROM queues WHERE name = ?")) {
            messages.setString(1, name);
            messages.executeUpdate();
            queue.setString(1, name);
            queue.executeUpdate();
        }
        queues.remove(name);
        counters.remove(name);
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
        // Check everything first: a batch is all-or-nothing, and a rejected command must write nothing.
        List<SendOutcome> outcomes = new ArrayList<>(batch.messages().size());
        Map<String, SendOutcome> keysInBatch = new HashMap<>();
        List<NewMessage> toInsert = new ArrayList<>(batch.messages().size());
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
            insert.setInt(4, state.ordinal());
            insert.setInt(5, m.priority());
            insert.setLong(6, m.availableAt().toEpochMilli());
            setNullableLong(insert, 7, m.expiresAt() == null ? null : m.expiresAt().toEpochMilli());
            insert.setString(8, m.orderingKey());
            insert.setString(9, m.idempotencyKey());
            insert.setInt(10, m.maxAttempts());
            insert.setLong(11, now);
            insert.setLong(12, now);
            insert.setString(13, m.payloadJson());
            insert.setString(14, m.headers().isEmpty() ? null : json.writeHeaders(m.headers()));
            insert.setLong(15, now);
            insert.setString(16, state.name());
            insert.setString(17, batch.node());
            insert.executeUpdate();
            counters.add(m.queue(), state, 1);
        }
        return outcomes;
    }

    private SendOutcome findIdempotent(String queue, String key) throws SQLException {
        findIdempotent.setString(1, queue);
        findIdempotent.setString(2, key);
        try (ResultSet rs = findIdempotent.executeQuery()) {
            return rs.next() ? new SendOutcome(rs.getString(1), MessageState.values()[rs.getInt(2)], true) : null;
        }
    }

    // ------------------------------------------------------------------ claims

    List<ClaimedMessage> claim(ClaimRequest request) throws SQLException {
        StoredQueue queue = requireQueue(request.queue());
        if (queue.paused()) {
            return List.of();
        }
        promote(request.queue(), request.now(), request.node());
        long free = queue.policy().concurrency() - counters.get(request.queue(), MessageState.IN_FLIGHT);
        int max = (int) Math.min(request.max(), free);
        if (max <= 0) {
            return List.of();
        }
        long now = request.now().toEpochMilli();
        Instant expiresAt = request.now().plus(request.lease());
        // One lease id for the whole claim: a lease is identified by (message id, lease id), and a
        // later claim of the same message always gets a new one.
        String leaseId = newLeaseId();
        claim.setString(1, leaseId);
        claim.setLong(2, expiresAt.toEpochMilli());
        claim.setLong(3, now);
        claim.setString(4, request.node());
        claim.setString(5, request.queue());
        claim.setInt(6, max);
        List<ClaimedMessage> claimed = new ArrayList<>(max);
        try (ResultSet rs = claim.executeQuery()) {
            while (rs.next()) {
                claimed.add(new ClaimedMessage(rs.getString(2), request.queue(), rs.getString(3), json.readHeaders(rs.getString(4)),
                        rs.getInt(5), rs.getString(6), rs.getInt(7), rs.getInt(8), leaseId, expiresAt,
                        Instant.ofEpochMilli(rs.getLong(9))));
            }
        }
        counters.add(request.queue(), MessageState.READY, -claimed.size());
        counters.add(request.queue(), MessageState.IN_FLIGHT, claimed.size());
        // RETURNING does not keep the subquery's order; hand messages out best first.
        claimed.sort(java.util.Comparator.comparingInt(ClaimedMessage::priority).reversed()
                .thenComparing(c -> MessageIds.sequenceOf(c.id())));
        return claimed;
    }

    private static String newLeaseId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return Long.toHexString(random.nextLong() | Long.MIN_VALUE) + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
    }

    /** Due SCHEDULED messages of one queue → READY. */
    int promote(String queue, Instant now, String node) throws SQLException {
        long at = now.toEpochMilli();
        promote.setLong(1, at);
        promote.setLong(2, at);
        promote.setString(3, MessageState.READY.name());
        promote.setString(4, node);
        promote.setString(5, "due");
        promote.setString(6, queue);
        promote.setLong(7, at);
        int count = 0;
        try (ResultSet rs = promote.executeQuery()) {
            while (rs.next()) {
                count++;
            }
        }
        if (count > 0) {
            counters.add(queue, MessageState.SCHEDULED, -count);
            counters.add(queue, MessageState.READY, count);
        }
        return count;
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

    Void ack(Completion completion) throws SQLException {
        long seq = sequence(completion.id());
        long now = completion.now().toEpochMilli();
        complete.setString(1, completion.resultJson());
        complete.setLong(2, now);
        complete.setLong(3, now);
        complete.setString(4, MessageState.SUCCEEDED.name());
        complete.setString(5, completion.node());
        complete.setString(6, "acked");
        complete.setLong(7, seq);
        complete.setString(8, completion.id());
        complete.setString(9, completion.leaseId());
        try (ResultSet rs = complete.executeQuery()) {
            if (rs.next()) {
                counters.move(rs.getString(1), MessageState.IN_FLIGHT, MessageState.SUCCEEDED);
                return null;
            }
        }
        throw staleOrMissing(seq, completion.id(), completion.leaseId());
    }

    MessageState nack(Failure failure) throws SQLException {
        long seq = sequence(failure.id());
        Leased leased = leased(seq, failure.id(), failure.leaseId());
        return failAttempt(seq, leased, failure.errorMessage(), failure.errorDetail(), failure.retryAfter(),
                failure.planner(), failure.now(), failure.node(), "failed");
    }

    private record Leased(String queue, int attempt, int maxAttempts) {
    }

    private Leased leased(long seq, String id, String leaseId) throws SQLException {
        findLeased.setLong(1, seq);
        findLeased.setString(2, id);
        try (ResultSet rs = findLeased.executeQuery()) {
            if (!rs.next()) {
                throw new MessageNotFoundException(id);
            }
            if (rs.getInt(2) != IN_FLIGHT || !leaseId.equals(rs.getString(5))) {
                throw new StaleLeaseException(id, leaseId);
            }
            return new Leased(rs.getString(1), rs.getInt(3), rs.getInt(4));
        }
    }

    private MessageState failAttempt(long seq, Leased leased, String error, String detail, Duration retryAfter,
                                     RetryPlanner planner, Instant now, String node, String reason) throws SQLException {
        MessageState next;
        Instant availableAt = now;
        if (leased.attempt() >= leased.maxAttempts()) {
            next = MessageState.DEAD;
        } else {
            Duration delay = retryAfter != null ? retryAfter : planner.retryDelay(leased.queue(), leased.attempt());
            availableAt = now.plus(delay);
            next = delay.isZero() || delay.isNegative() ? MessageState.READY : MessageState.SCHEDULED;
        }
        long at = now.toEpochMilli();
        fail.setInt(1, next.ordinal());
        fail.setLong(2, availableAt.toEpochMilli());
        fail.setLong(3, at);
        fail.setLong(4, at);
        fail.setString(5, error);
        fail.setString(6, detail);
        fail.setLong(7, at);
        fail.setString(8, next.name());
        fail.setString(9, node);
        fail.setString(10, next == MessageState.DEAD ? reason + "; attempts exhausted" : reason + "; will retry");
        fail.setLong(11, seq);
        fail.executeUpdate();
        counters.move(leased.queue(), MessageState.IN_FLIGHT, next);
        return next;
    }

    Instant extend(LeaseExtension extension) throws SQLException {
        long seq = sequence(extension.id());
        extend.setLong(1, extension.expiresAt().toEpochMilli());
        extend.setLong(2, extension.now().toEpochMilli());
        extend.setLong(3, seq);
        extend.setString(4, extension.id());
        extend.setString(5, extension.leaseId());
        if (extend.executeUpdate() == 0) {
            throw staleOrMissing(seq, extension.id(), extension.leaseId());
        }
        return Instant.ofEpochMilli(extension.expiresAt().toEpochMilli());
    }

    Void progress(ProgressReport report) throws SQLException {
        long seq = sequence(report.id());
        setNullableLong(progress, 1, report.percent() == null ? null : report.percent().longValue());
        progress.setString(2, report.note());
        progress.setLong(3, report.now().toEpochMilli());
        progress.setLong(4, seq);
        progress.setString(5, report.id());
        progress.setString(6, report.leaseId());
        if (progress.executeUpdate() == 0) {
            throw staleOrMissing(seq, report.id(), report.leaseId());
        }
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

    MessageState retry(MessageAction action) throws SQLException {
        return transition(action, Set.of(MessageState.DEAD, MessageState.CANCELLED), MessageState.READY, "retry",
                ", attempt = 0, available_at = ?");
    }

    MessageState cancel(MessageAction action) throws SQLException {
        return transition(action, Set.of(MessageState.SCHEDULED, MessageState.READY, MessageState.IN_FLIGHT),
                MessageState.CANCELLED, "cancel", "");
    }

    private MessageState transition(MessageAction action, Set<MessageState> from, MessageState to, String verb,
                                    String extraSet) throws SQLException {
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
            state = MessageState.values()[rs.getInt(2)];
        }
        if (!from.contains(state)) {
            throw new IllegalTransitionException(action.id(), state, verb);
        }
        long at = action.now().toEpochMilli();
        try (PreparedStatement ps = connection.prepareStatement("UPDATE messages SET state = ?, lease_id = NULL, "
                + "lease_expires_at = NULL, updated_at = ?" + extraSet + ", " + APPEND_TIMELINE + " WHERE seq = ?")) {
            int i = 1;
            ps.setInt(i++, to.ordinal());
            ps.setLong(i++, at);
            if (!extraSet.isEmpty()) {
                ps.setLong(i++, at);
            }
            ps.setLong(i++, at);
            ps.setString(i++, to.name());
            ps.setString(i++, action.node());
            ps.setString(i++, action.reason());
            ps.setLong(i, seq);
            ps.executeUpdate();
        }
        counters.move(queue, state, to);
        return to;
    }

    boolean delete(String id) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM messages WHERE seq = ? AND id = ? RETURNING queue, state")) {
            ps.setLong(1, sequence(id));
            ps.setString(2, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    counters.add(rs.getString(1), MessageState.values()[rs.getInt(2)], -1);
                    return true;
                }
                return false;
            }
        }
    }

    int redrive(String queue, Instant now, String node) throws SQLException {
        requireQueue(queue);
        long at = now.toEpochMilli();
        try (PreparedStatement ps = connection.prepareStatement("UPDATE messages SET state = 1, attempt = 0, available_at = ?, "
                + "updated_at = ?, " + APPEND_TIMELINE + " WHERE queue = ? AND state = 4")) {
            ps.setLong(1, at);
            ps.setLong(2, at);
            ps.setLong(3, at);
            ps.setString(4, MessageState.READY.name());
            ps.setString(5, node);
            ps.setString(6, "redriven");
            ps.setString(7, queue);
            int count = ps.executeUpdate();
            counters.add(queue, MessageState.DEAD, -count);
            counters.add(queue, MessageState.READY, count);
            return count;
        }
    }

    int purge(String queue, Set<MessageState> states) throws SQLException {
        requireQueue(queue);
        int total = 0;
        for (MessageState state : states) {
            try (PreparedStatement ps = connection.prepareStatement("DELETE FROM messages WHERE queue = ? AND state = ?")) {
                ps.setString(1, queue);
                ps.setInt(2, state.ordinal());
                int count = ps.executeUpdate();
                counters.add(queue, state, -count);
                total += count;
            }
        }
        return total;
    }

    // ------------------------------------------------------------------ maintenance

    int expireLeases(Instant now, RetryPlanner planner, String node) throws SQLException {
        expiredLeases.setLong(1, now.toEpochMilli());
        List<Object[]> expired = new ArrayList<>();
        try (ResultSet rs = expiredLeases.executeQuery()) {
            while (rs.next()) {
                expired.add(new Object[]{rs.getLong(1), rs.getString(2), rs.getString(3)});
            }
        }
        for (Object[] row : expired) {
            long seq = (Long) row[0];
            Leased leased = leased(seq, (String) row[1], (String) row[2]);
            failAttempt(seq, leased, "lease expired", "the lease ended before the message was acked", null,
                    planner, now, node, "lease expired");
        }
        return expired.size();
    }

    int expireTtl(Instant now, String node) throws SQLException {
        long at = now.toEpochMilli();
        List<Object[]> rows = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT seq, queue, state FROM messages "
                + "WHERE expires_at IS NOT NULL AND state IN (0, 1) AND expires_at <= ? LIMIT 1000")) {
            ps.setLong(1, at);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Object[]{rs.getLong(1), rs.getString(2), rs.getInt(3)});
                }
            }
        }
        try (PreparedStatement ps = connection.prepareStatement("UPDATE messages SET state = 4, updated_at = ?, "
                + "errors = json_insert(coalesce(errors, '[]'), '$[#]', json_object('attempt', attempt, 'at', ?, "
                + "'message', 'expired', 'detail', 'TTL elapsed before the message was delivered')), "
                + APPEND_TIMELINE + " WHERE seq = ?")) {
            for (Object[] row : rows) {
                ps.setLong(1, at);
                ps.setLong(2, at);
                ps.setLong(3, at);
                ps.setString(4, MessageState.DEAD.name());
                ps.setString(5, node);
                ps.setString(6, "expired (TTL)");
                ps.setLong(7, (Long) row[0]);
                ps.executeUpdate();
                counters.move((String) row[1], MessageState.values()[(Integer) row[2]], MessageState.DEAD);
            }
        }
        return rows.size();
    }

    int purgeFinished(String queue, MessageState state, Instant before) throws SQLException {
        // Rows are in id (send-time) order; anything that finished before the cutoff was sent before it.
        long maxSeq = (before.toEpochMilli() + 1) << 21;
        try (PreparedStatement ps = connection.prepareStatement(
                "DELETE FROM messages WHERE seq < ? AND queue = ? AND state = ? AND updated_at < ?")) {
            ps.setLong(1, maxSeq);
            ps.setString(2, queue);
            ps.setInt(3, state.ordinal());
            ps.setLong(4, before.toEpochMilli());
            int count = ps.executeUpdate();
            counters.add(queue, state, -count);
            return count;
        }
    }

    /** After a restart no lease is held by anyone: every IN_FLIGHT message fails its attempt at once. */
    int recoverInFlight(Instant now, String node) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT seq, id, lease_id FROM messages WHERE state = 2");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(new Object[]{rs.getLong(1), rs.getString(2), rs.getString(3)});
            }
        }
        for (Object[] row : rows) {
            long seq = (Long) row[0];
            Leased leased = leased(seq, (String) row[1], (String) row[2]);
            failAttempt(seq, leased, "interrupted by restart", "the process holding the lease stopped",
                    Duration.ZERO, (q, a) -> Duration.ZERO, now, node, "recovered after restart");
        }
        return rows.size();
    }

    /** Recounts every queue's states from the table (at start, and after a rollback). */
    void reloadCounters() throws SQLException {
        counters.clear();
        queues.keySet().forEach(q -> counters.add(q, MessageState.READY, 0));
        try (PreparedStatement ps = connection.prepareStatement("SELECT queue, state, count(*) FROM messages GROUP BY queue, state");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                counters.add(rs.getString(1), MessageState.values()[rs.getInt(2)], rs.getLong(3));
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
