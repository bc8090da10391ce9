package dev.postroom.store.sqlite.tck;

import dev.postroom.tck.ScheduleContract;
import dev.postroom.tck.StoreFixture;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class SqliteScheduleContractTest extends ScheduleContract {
    @TempDir
    Path dir;

    @Override
    protected StoreFixture fixture() {
        return new SqliteFixture(dir);
    }
}
