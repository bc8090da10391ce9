package dev.postroom.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;

/**
 * A store's concurrency model, as the parts written once for every SQL store see it: how a write
 * runs (on the embedded store's one writer, inside its group commit; on PostgreSQL, a pooled
 * transaction retried when its connection was lost) and where reads get a connection.
 */
public interface StoreAccess {
    /**
     * Runs {@code work} in a write transaction; the future completes once it is committed, or
     * exceptionally with what {@code work} threw (and nothing of it written).
     */
    <T> CompletableFuture<T> write(Write<T> work);

    /** A connection for reads, to be closed by the caller. */
    Connection reader() throws SQLException;

    /** Work inside a write transaction, on its connection. */
    @FunctionalInterface
    interface Write<T> {
        T apply(Connection c) throws SQLException;
    }
}
