package dev.postroom.store.postgres.tck;

import dev.postroom.tck.HandlerContract;
import dev.postroom.tck.StoreFixture;

/** The contract again, on a store opened on an application's {@code DataSource}. */
class PostgresDataSourceHandlerContractTest extends HandlerContract {
    @Override
    protected StoreFixture fixture() {
        return new PostgresDataSourceFixture();
    }
}
