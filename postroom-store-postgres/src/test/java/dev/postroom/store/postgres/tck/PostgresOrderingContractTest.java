package dev.postroom.store.postgres.tck;

import dev.postroom.tck.OrderingContract;
import dev.postroom.tck.StoreFixture;

class PostgresOrderingContractTest extends OrderingContract {
    @Override
    protected StoreFixture fixture() {
        return new PostgresFixture();
    }
}
