package dev.postroom.store.postgres.tck;

import dev.postroom.tck.SnoozeContract;
import dev.postroom.tck.StoreFixture;

class PostgresSnoozeContractTest extends SnoozeContract {
    @Override
    protected StoreFixture fixture() {
        return new PostgresFixture();
    }
}
