package dev.postroom.store.postgres.tck;

import dev.postroom.tck.RequestReplyContract;
import dev.postroom.tck.StoreFixture;

class PostgresRequestReplyContractTest extends RequestReplyContract {
    @Override
    protected StoreFixture fixture() {
        return new PostgresFixture();
    }
}
