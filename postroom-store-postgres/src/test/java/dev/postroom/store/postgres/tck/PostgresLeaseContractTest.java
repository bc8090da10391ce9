package dev.postroom.store.postgres.tck;

import dev.postroom.tck.LeaseContract;
import dev.postroom.tck.StoreFixture;

class PostgresLeaseContractTest extends LeaseContract {
    @Override
    protected StoreFixture fixture() {
        return new PostgresFixture();
    }
}
