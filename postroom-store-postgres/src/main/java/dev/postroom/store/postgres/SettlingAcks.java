package dev.postroom.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The acks this node has queued for its {@link GroupCommit} and not yet committed, by message and
 * lease. Their handlers are done, so this node's claims do not count their rows against the queue's
 * concurrency, which bounds the handlers running at once: without that, every message held its place
 * for a whole commit after its handler returned, and a queue with the default concurrency of 64 ran at
 * 64 messages per ack commit. Only a row still leased under that lease is left out (the claim's count
 * matches both), so a stale ack frees nothing; other nodes count the row until the ack commits.
 */
final class SettlingAcks {
    private final ConcurrentHashMap<UUID, String> leaseByMessage = new ConcurrentHashMap<>();

    void add(UUID message, String leaseId) {
        leaseByMessage.put(message, leaseId);
    }

    void remove(UUID message, String leaseId) {
        leaseByMessage.remove(message, leaseId);
    }

    /** Binds the messages and their leases as two arrays, at {@code index} and the next; returns the index after. */
    int bind(Connection c, PreparedStatement ps, int index) throws SQLException {
        List<UUID> messages = new ArrayList<>();
        List<String> leases = new ArrayList<>();
        leaseByMessage.forEach((message, lease) -> {
            messages.add(message);
            leases.add(lease);
        });
        ps.setArray(index, c.createArrayOf("uuid", messages.toArray()));
        ps.setArray(index + 1, c.createArrayOf("text", leases.toArray()));
        return index + 2;
    }
}
