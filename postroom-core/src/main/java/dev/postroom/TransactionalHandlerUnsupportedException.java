package dev.postroom;

/**
 * {@link Postroom#handleInTransaction} on a store that cannot run a handler and its ack in one
 * transaction of the application's database: the embedded store keeps its messages in a file of its
 * own. Use {@link Postroom#handle} with an idempotent handler there, or the PostgreSQL store.
 */
public class TransactionalHandlerUnsupportedException extends PostroomException {
    public TransactionalHandlerUnsupportedException(String message) {
        super(message);
    }
}
