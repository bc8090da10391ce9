package dev.postroom.store.postgres.tck;

import dev.postroom.tck.ArchiveContract;
import dev.postroom.tck.StoreFixture;

class PostgresArchiveContractTest extends ArchiveContract {
    @Override
    protected StoreFixture fixture() {
        return new PostgresFixture();
    }
}
