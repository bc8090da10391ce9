package dev.postroom.store.postgres.tck;

import dev.postroom.tck.WorkflowContract;
import dev.postroom.tck.StoreFixture;

class PostgresWorkflowContractTest extends WorkflowContract {
    @Override
    protected StoreFixture fixture() {
        return new PostgresFixture();
    }
}
