package dev.postroom;

/**
 * A send in the caller's transaction ({@link Postroom#send(java.sql.Connection, String, Object)})
 * was given a connection in autocommit mode. Such a send would commit on its own, at once, and not
 * with the caller's writes: almost always a mistake (a forgotten {@code setAutoCommit(false)}, or
 * a connection taken outside the transaction manager). Nothing was written.
 */
public class TransactionRequiredException extends PostroomException {
    public TransactionRequiredException() {
        super("the connection is in autocommit mode: a transactional send must run inside the caller's open "
                + "transaction (setAutoCommit(false)), or it would commit on its own; use send(queue, payload) for that");
    }
}
