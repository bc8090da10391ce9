package dev.postroom.store.postgres.tck;

import dev.postroom.tck.ConcurrencyContract;
import dev.postroom.tck.StoreFixture;

class PostgresConcurrencyContractTest extends ConcurrencyContract {
    @Override
    protected StoreFixture fixture() {
        return new PostgresFixture();
    }
}
