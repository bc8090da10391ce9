package dev.postroom.store.postgres;

import dev.postroom.store.Transition;
import dev.postroom.store.jdbc.Dialect;
import dev.postroom.store.jdbc.StateSql;
import dev.postroom.QueuePolicy;
import dev.postroom.store.Completion;
import dev.postroom.store.NewMessage;
import dev.postroom.store.SendBatch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The writes {@link GroupCommit} runs for many callers in one transaction: the sends of many
 * batches as one multi-row INSERT, and many acks as one UPDATE over arrays of ids and leases.
 * Each reports which of its requests it could not do (an unknown queue, a stale lease), so that
 * only those are redone alone, by the per-request path that explains the failure.
 */
final class GroupedWrites {
    /** A message on its happy path (see V13), acked by the node that leased it: its timeline stays implied. */
    private static final String STILL_IMPLIED = "m.timeline IS NULL AND m.claim_node = a.node";
    /**
     * The ack's time and SUCCEEDED entry, no earlier than the entry before it (see Dialect); an
     * implied timeline stays implied, with the ack's time as {@code updated_at}.
     */
    private static final String ACKED_ENTRY = "updated_at = CASE WHEN " + STILL_IMPLIED + " THEN greatest(a.at, m.claimed_at) ELSE a.at END,"
            + " timeline = CASE WHEN " + STILL_IMPLIED + " THEN NULL ELSE " + Dialect.POSTGRES.timeline("m.")
            + " || jsonb_build_array(jsonb_build_array(greatest(a.at, " + Dialect.POSTGRES.lastEntryAt("m.")
            + "), 'SUCCEEDED', a.node, m.attempt, '" + Transition.ACKED + "')) END";

    /**
     * Every ack of the group in one statement: the rows whose lease still matches become SUCCEEDED
     * with their result and timeline entry (no earlier than the entry before it, as in
     * {@link MessageWrites}). RETURNING names the requests that took effect.
     */
    private static final String ACK_ALL = StateSql.expand("""
            UPDATE messages m
            SET state = {SUCCEEDED}, result = a.result, lease_id = NULL, lease_expires_at = NULL, lease_node = NULL,
            """ + ACKED_ENTRY + "\n" + """
            FROM unnest(?::uuid[], ?::text[], ?::text[], ?::bigint[], ?::text[]) AS a(id, lease_id, result, at, node)
            WHERE m.id = a.id AND m.state = {IN_FLIGHT} AND m.lease_id = a.lease_id
            RETURNING a.id, a.lease_id, m.queue, m.ordering_key""");

    private final PostgresJson json;
    private final String channel;

    GroupedWrites(PostgresJson json, String channel) {
        this.json = json;
        this.channel = channel;
    }

    /** One ack of the group and whether it took effect. */
    static final class AckRequest {
        final Completion completion;
        final UUID id;
        boolean done;
        String queue;

        AckRequest(Completion completion, UUID id) {
            this.completion = completion;
            this.id = id;
        }
    }

    /** Marks each request done whose lease still matched; announces queues with a freed ordering key. */
    void ackAll(Connection c, List<AckRequest> requests) throws SQLException {
        int n = requests.size();
        Object[] ids = new Object[n];
        String[] leases = new String[n];
        String[] results = new String[n];
        Long[] ats = new Long[n];
        String[] nodes = new String[n];
        for (int i = 0; i < n; i++) {
            Completion completion = requests.get(i).completion;
            ids[i] = requests.get(i).id;
            leases[i] = completion.leaseId();
            results[i] = completion.resultJson();
            ats[i] = completion.now().toEpochMilli();
            nodes[i] = completion.node();
        }
        Set<String> keyed = new LinkedHashSet<>();
        Map<String, String> done = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(ACK_ALL)) {
            ps.setArray(1, c.createArrayOf("uuid", ids));
            ps.setArray(2, c.createArrayOf("text", leases));
            ps.setArray(3, c.createArrayOf("text", results));
            ps.setArray(4, c.createArrayOf("bigint", ats));
            ps.setArray(5, c.createArrayOf("text", nodes));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    done.put(rs.getString(1) + '/' + rs.getString(2), rs.getString(3));
                    if (rs.getString(4) != null) {
                        keyed.add(rs.getString(3));
                    }
                }
            }
        }
        for (AckRequest request : requests) {
            // Two acks of one lease in a group: the row is updated once, so only the first is done.
            request.queue = done.remove(request.id + "/" + request.completion.leaseId());
            request.done = request.queue != null;
        }
        // A freed ordering key may be what another node's idle consumer waits for (see MessageWrites.freed).
        notifyAll(c, keyed);
    }

    /**
     * Inserts the messages of every batch whose queues all exist, as one JDBC batch (multi-row
     * INSERTs on the wire), and wakes each queue's consumers once. Returns the batches it stored;
     * the others are left for the caller to send alone.
     */
    List<SendBatch> insertAll(Connection c, List<SendBatch> batches) throws SQLException {
        Set<String> named = new LinkedHashSet<>();
        for (SendBatch batch : batches) {
            for (NewMessage m : batch.messages()) {
                named.add(m.queue());
            }
        }
        // The queues' policies (for the limit keys), read after taking each queue's policy lock
        // shared, as MessageWrites.policyForSend does, in one round trip.
        Map<String, QueuePolicy> existing = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock_shared(?, hashtext(q)) "
                + "FROM unnest(?::text[]) AS q ORDER BY q; SELECT name, policy FROM queues WHERE name = ANY(?)")) {
            ps.setInt(1, MessageWrites.POLICY_LOCK);
            ps.setArray(2, c.createArrayOf("text", named.toArray()));
            ps.setArray(3, c.createArrayOf("text", named.toArray()));
            ps.execute();
            if (!ps.getMoreResults()) {
                throw new SQLException("no result for the queues' policies");
            }
            try (ResultSet rs = ps.getResultSet()) {
                while (rs.next()) {
                    existing.put(rs.getString(1), json.readPolicy(rs.getString(2)));
                }
            }
        }
        List<SendBatch> stored = new ArrayList<>(batches.size());
        Set<String> touched = new LinkedHashSet<>();
        try (PreparedStatement insert = c.prepareStatement(MessageWrites.INSERT.formatted("messages"))) {
            for (SendBatch batch : batches) {
                if (!batch.messages().stream().allMatch(m -> existing.containsKey(m.queue()))) {
                    continue;
                }
                stored.add(batch);
                for (NewMessage m : batch.messages()) {
                    MessageWrites.bindInsert(insert, json, m, batch, existing.get(m.queue()));
                    insert.addBatch();
                    touched.add(m.queue());
                }
            }
            if (!touched.isEmpty()) {
                insert.executeBatch();
            }
        }
        // Delayed sends too: an idle consumer elsewhere sleeps until the earliest due time it knew of.
        notifyAll(c, touched);
        return stored;
    }

    /** One NOTIFY per queue, in one statement (delivered at commit). */
    private void notifyAll(Connection c, Set<String> queues) throws SQLException {
        if (queues.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, q) FROM unnest(?::text[]) AS q")) {
            ps.setString(1, channel);
            ps.setArray(2, c.createArrayOf("text", queues.toArray()));
            ps.execute();
        }
    }
}
