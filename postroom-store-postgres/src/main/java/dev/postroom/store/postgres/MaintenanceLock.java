package dev.postroom.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The cluster-wide maintenance tasks, each run by one node at a time. Every node's maintenance
 * calls them every pass; a task's transaction first takes its advisory lock with
 * {@code pg_try_advisory_xact_lock(key, hashtext(current_schema()))} and, when another node holds
 * it, does nothing and reports 0: that node is doing the same work right now, and this node's next
 * pass comes soon. The lock is transaction-scoped, so it is released at commit or rollback, and by
 * PostgreSQL when a node dies mid-pass.
 *
 * <p>The first key is fixed per task (below; {@code 0x5052} is "PR"), so an operator can find the
 * holder in {@code pg_locks} ({@code locktype = 'advisory' AND classid = key}); the second is the
 * hash of the store's schema, so clusters in other schemas of the same database do not wait for
 * each other. A hash collision between two schemas only makes one of them skip a pass now and then.
 * The claim, ack and send paths take no advisory lock.
 */
enum MaintenanceLock {
    /** {@code promoteDue}: SCHEDULED messages whose time came become READY. */
    PROMOTE_DUE(0x5052_0001),
    /** {@code expireLeases}: attempts whose lease ended are failed (lease reaping). */
    EXPIRE_LEASES(0x5052_0002),
    /** {@code expireTtl}: messages past their TTL are expired. */
    EXPIRE_TTL(0x5052_0003),
    /** {@code purgeFinished}: finished messages past their queue's retention are deleted (retention purge). */
    PURGE_FINISHED(0x5052_0004),
    /** {@code forgetNodes}: registry rows of nodes long dead are deleted. */
    FORGET_NODES(0x5052_0005);

    private final int key;

    MaintenanceLock(int key) {
        this.key = key;
    }

    /** The first key of the task's advisory lock (the {@code classid} column of {@code pg_locks}). */
    int key() {
        return key;
    }

    /**
     * Takes the task's lock for the rest of the transaction on {@code c} (which must not be in
     * autocommit); false when another transaction holds it.
     */
    boolean tryLock(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?, hashtext(current_schema()))")) {
            ps.setInt(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
