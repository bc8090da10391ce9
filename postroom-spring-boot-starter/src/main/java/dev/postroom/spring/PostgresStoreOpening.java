package dev.postroom.spring;

import dev.postroom.store.MessageStore;
import dev.postroom.store.postgres.PostgresMessageStore;

import javax.sql.DataSource;

/**
 * The one class that names the PostgreSQL store, an optional dependency: loaded only when
 * {@code postroom.store=postgres} and the store is on the class path.
 */
final class PostgresStoreOpening {
    private PostgresStoreOpening() {
    }

    static MessageStore open(DataSource dataSource, String schema) {
        return PostgresMessageStore.open(dataSource, schema);
    }
}
