package dev.postroom.store.postgres.tck;

import dev.postroom.tck.EncryptionContract;
import dev.postroom.tck.StoreFixture;

class PostgresEncryptionContractTest extends EncryptionContract {
    @Override
    protected StoreFixture fixture() {
        return new PostgresFixture();
    }
}
