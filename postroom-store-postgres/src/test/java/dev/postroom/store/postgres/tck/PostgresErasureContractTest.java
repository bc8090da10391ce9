package dev.postroom.store.postgres.tck;

import dev.postroom.tck.ErasureContract;
import dev.postroom.tck.StoreFixture;

class PostgresErasureContractTest extends ErasureContract {
    @Override
    protected StoreFixture fixture() {
        return new PostgresFixture();
    }
}
