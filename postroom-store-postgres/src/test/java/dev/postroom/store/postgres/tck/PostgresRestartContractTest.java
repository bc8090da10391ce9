package dev.postroom.store.postgres.tck;

import dev.postroom.tck.RestartContract;
import dev.postroom.tck.StoreFixture;

class PostgresRestartContractTest extends RestartContract {
    @Override
    protected StoreFixture fixture() {
        return new PostgresFixture();
    }
}
