package dev.postroom.store.postgres.tck;

import dev.postroom.tck.ScheduleContract;
import dev.postroom.tck.StoreFixture;

class PostgresScheduleContractTest extends ScheduleContract {
    @Override
    protected StoreFixture fixture() {
        return new PostgresFixture();
    }
}
