package dev.postroom.store.postgres.tck;

import dev.postroom.store.MessageStore;
import dev.postroom.store.postgres.PostgresMessageStore;
import dev.postroom.store.postgres.TestDatabase;
import dev.postroom.tck.StoreFixture;

/**
 * Opens the PostgreSQL store in a schema of its own (so that test classes may run in parallel on
 * one database); reopening is a new store on the same schema, as another process would open it. A
 * crash cuts the store off without a clean close; its leases stay in the rows until they expire.
 */
final class PostgresFixture implements StoreFixture {
    private final TestDatabase.Schema schema = TestDatabase.newSchema();

    @Override
    public MessageStore open() {
        return PostgresMessageStore.open(schema.options());
    }

    @Override
    public void crash(MessageStore store) {
        ((PostgresMessageStore) store).crashForTesting();
    }

    @Override
    public boolean sharedByNodes() {
        return true;
    }

    @Override
    public void cleanup() {
        schema.drop();
    }
}
