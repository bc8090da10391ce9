package dev.postroom.store.postgres.tck;

import dev.postroom.tck.SendKeysContract;
import dev.postroom.tck.StoreFixture;

class PostgresSendKeysContractTest extends SendKeysContract {
    @Override
    protected StoreFixture fixture() {
        return new PostgresFixture();
    }
}
