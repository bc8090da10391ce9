package dev.postroom.store.postgres.tck;

import dev.postroom.tck.SendContract;
import dev.postroom.tck.StoreFixture;

/** The contract again, on a store opened on an application's {@code DataSource}. */
class PostgresDataSourceSendContractTest extends SendContract {
    @Override
    protected StoreFixture fixture() {
        return new PostgresDataSourceFixture();
    }
}
