package dev.postroom.store.postgres.tck;

import dev.postroom.tck.BatchContract;
import dev.postroom.tck.StoreFixture;

class PostgresBatchContractTest extends BatchContract {
    @Override
    protected StoreFixture fixture() {
        return new PostgresFixture();
    }
}
