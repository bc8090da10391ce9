package dev.postroom.store;

import java.sql.Connection;

/** Work done inside a store's transaction ({@link MessageStore#inTransaction}). */
@FunctionalInterface
public interface TransactionWork<R> {
    R run(Connection connection) throws Exception;
}
