package dev.postroom.store.postgres.tck;

import dev.postroom.tck.LifecycleContract;
import dev.postroom.tck.StoreFixture;

class PostgresLifecycleContractTest extends LifecycleContract {
    @Override
    protected StoreFixture fixture() {
        return new PostgresFixture();
    }
}
