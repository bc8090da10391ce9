package dev.postroom.store.postgres.tck;

import com.zaxxer.hikari.HikariDataSource;
import dev.postroom.store.MessageStore;
import dev.postroom.store.postgres.PostgresMessageStore;
import dev.postroom.store.postgres.TestDatabase;
import dev.postroom.tck.StoreFixture;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The PostgreSQL store opened on an application's {@code DataSource} ({@link
 * PostgresMessageStore#open(javax.sql.DataSource, String)}) rather than a pool of its own: each
 * store gets a pool that the fixture owns, as an application's would be, and that knows nothing
 * of the test's schema. A crash takes the pool down with the store, as a process's death would.
 */
final class PostgresDataSourceFixture implements StoreFixture {
    private final TestDatabase.Schema schema = TestDatabase.newSchema();
    private final Map<MessageStore, HikariDataSource> pools = new IdentityHashMap<>();
    private final List<HikariDataSource> opened = new ArrayList<>();

    @Override
    public MessageStore open() {
        HikariDataSource pool = schema.applicationPool(6);
        opened.add(pool);
        PostgresMessageStore store = PostgresMessageStore.open(pool, schema.name());
        pools.put(store, pool);
        return store;
    }

    @Override
    public void crash(MessageStore store) {
        ((PostgresMessageStore) store).crashForTesting();
        pools.get(store).close();
    }

    @Override
    public boolean sharedByNodes() {
        return true;
    }

    @Override
    public void cleanup() {
        opened.forEach(HikariDataSource::close);
        schema.drop();
    }
}
