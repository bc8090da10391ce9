package dev.postroom.store.postgres.tck;

import dev.postroom.tck.StoreFixture;
import dev.postroom.tck.TopicContract;

class PostgresTopicContractTest extends TopicContract {
    @Override
    protected StoreFixture fixture() {
        return new PostgresFixture();
    }
}
