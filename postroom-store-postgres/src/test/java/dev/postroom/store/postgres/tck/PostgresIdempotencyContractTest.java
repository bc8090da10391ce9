package dev.postroom.store.postgres.tck;

import dev.postroom.tck.IdempotencyContract;
import dev.postroom.tck.StoreFixture;

class PostgresIdempotencyContractTest extends IdempotencyContract {
    @Override
    protected StoreFixture fixture() {
        return new PostgresFixture();
    }
}
