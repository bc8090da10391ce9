package dev.postroom.store.postgres.tck;

import dev.postroom.tck.SendContract;
import dev.postroom.tck.StoreFixture;

class PostgresSendContractTest extends SendContract {
    @Override
    protected StoreFixture fixture() {
        return new PostgresFixture();
    }
}
