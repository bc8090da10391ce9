package dev.postroom.store.postgres.tck;

import dev.postroom.tck.HandlerContract;
import dev.postroom.tck.StoreFixture;

class PostgresHandlerContractTest extends HandlerContract {
    @Override
    protected StoreFixture fixture() {
        return new PostgresFixture();
    }
}
