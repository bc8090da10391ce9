package dev.postroom.store.postgres.tck;

import dev.postroom.tck.LimitsContract;
import dev.postroom.tck.StoreFixture;

class PostgresLimitsContractTest extends LimitsContract {
    @Override
    protected StoreFixture fixture() {
        return new PostgresFixture();
    }
}
