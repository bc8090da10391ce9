package dev.postroom;

import java.sql.Connection;

/**
 * Handles messages inside the store's own database transaction, registered with
 * {@link Postroom#handleInTransaction}: whatever the handler writes through {@code connection}
 * commits together with the message's ack, or not at all. A handler that throws has its writes
 * rolled back and the attempt fails as usual; a process killed before the commit leaves no trace of
 * the attempt, and the message is delivered again once its lease ends. The effect in the database
 * therefore happens exactly once, even though the handler may run more than once.
 *
 * <p>Only for writes to the same database as the store (PostgreSQL). The connection's search path
 * is the store's schema: name the application's tables with their schema when they live elsewhere.
 * Do not commit, roll back or close the connection, and do not call out to other systems whose
 * effects cannot roll back (their effects stay at-least-once).
 *
 * @param <T> the payload type, decoded from JSON with Jackson
 */
@FunctionalInterface
public interface TransactionalHandler<T> {
    /**
     * Handles one delivery inside the transaction that acks it.
     *
     * @return a result to store, or null
     * @throws Exception to fail this attempt; the transaction is rolled back
     */
    Object handle(Delivery<T> delivery, Connection connection) throws Exception;
}
