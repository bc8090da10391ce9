package dev.postroom;

/**
 * The store cannot write a message through the caller's JDBC connection, so a send inside the
 * caller's transaction ({@link Postroom#send(java.sql.Connection, String, Object)}) is impossible
 * with it. Nothing was written. The message says why; the embedded SQLite store, for one, owns its
 * database file and its single writer, so it cannot join a transaction on another database.
 */
public class TransactionalSendUnsupportedException extends PostroomException {
    public TransactionalSendUnsupportedException(String reason) {
        super("sending in the caller's transaction is not supported: " + reason);
    }
}
