package dev.postroom.store.postgres;

import dev.postroom.TransactionRequiredException;
import dev.postroom.store.SendBatch;
import dev.postroom.store.SendOutcome;
import dev.postroom.store.StoreUnavailableException;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.List;

/**
 * Sends, on the store's own connections and on a caller's (the transactional outbox). On a caller's
 * connection the rows are written with {@link MessageWrites#send} into the caller's open
 * transaction, with schema-qualified table names (the caller's search path is its own), and the
 * {@code NOTIFY} goes into the same transaction: PostgreSQL delivers it only if that commits, so
 * idle consumers on every node wake right after the commit and never for a rollback. Nothing here
 * commits, rolls back the caller's work or touches autocommit.
 *
 * <p>An uncommitted idempotency key holds its entry of the unique index: a send of the same key
 * from another transaction waits for the caller's commit (then finds the message) or rollback.
 */
final class TransactionalSend {
    /** SQLSTATE of a unique violation: two transactions stored the same idempotency key at once. */
    private static final String UNIQUE_VIOLATION = "23505";
    /** A send that lost an idempotency race is retried, and then finds the winner's message. */
    private static final int SEND_ATTEMPTS = 3;

    private TransactionalSend() {
    }

    /** Sends in the caller's transaction on {@code caller}. */
    static List<SendOutcome> inCallerTransaction(MessageWrites writes, Connection caller, SendBatch batch) {
        try {
            if (caller.getAutoCommit()) {
                throw new TransactionRequiredException();
            }
            return send(writes, caller, batch);
        } catch (SQLException e) {
            throw new StoreUnavailableException("send in the caller's transaction failed (roll the transaction back): "
                    + e.getMessage(), e);
        }
    }

    /**
     * Sends in the open transaction on {@code c}. A batch with idempotency keys runs under a
     * savepoint: when another transaction committed one of its keys since the lookup (a unique
     * violation), the send is rolled back to the savepoint and tried again, and then finds the
     * winner's message. On any failure the transaction is left as it was before the send.
     */
    static List<SendOutcome> send(MessageWrites writes, Connection c, SendBatch batch) throws SQLException {
        if (batch.messages().stream().allMatch(m -> m.idempotencyKey() == null)) {
            return writes.send(c, batch);
        }
        for (int attempt = 1; ; attempt++) {
            Savepoint savepoint = c.setSavepoint();
            try {
                List<SendOutcome> outcomes = writes.send(c, batch);
                c.releaseSavepoint(savepoint);
                return outcomes;
            } catch (SQLException e) {
                rollbackQuietly(c, savepoint, e);
                if (attempt >= SEND_ATTEMPTS || !isUniqueViolation(e)) {
                    throw e;
                }
            } catch (RuntimeException e) {
                rollbackQuietly(c, savepoint, e);
                throw e;
            }
        }
    }

    private static void rollbackQuietly(Connection c, Savepoint savepoint, Exception cause) {
        try {
            c.rollback(savepoint);
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** A batch reports the statement's error as the next exception of its own. */
    private static boolean isUniqueViolation(SQLException e) {
        for (SQLException cause = e; cause != null; cause = cause.getNextException()) {
            if (UNIQUE_VIOLATION.equals(cause.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
