package dev.postroom.store.postgres.tck;

import dev.postroom.tck.ReceiveContract;
import dev.postroom.tck.StoreFixture;

class PostgresReceiveContractTest extends ReceiveContract {
    @Override
    protected StoreFixture fixture() {
        return new PostgresFixture();
    }
}
