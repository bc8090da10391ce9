package dev.postroom.store.postgres.tck;

import dev.postroom.tck.RetryContract;
import dev.postroom.tck.StoreFixture;

class PostgresRetryContractTest extends RetryContract {
    @Override
    protected StoreFixture fixture() {
        return new PostgresFixture();
    }
}
