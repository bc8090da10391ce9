package dev.postroom.store.postgres.tck;

import dev.postroom.tck.BrowseContract;
import dev.postroom.tck.StoreFixture;

class PostgresBrowseContractTest extends BrowseContract {
    @Override
    protected StoreFixture fixture() {
        return new PostgresFixture();
    }
}
