package dev.postroom.store.sqlite.tck;

import dev.postroom.tck.ArchiveContract;
import dev.postroom.tck.StoreFixture;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class SqliteArchiveContractTest extends ArchiveContract {
    @TempDir
    Path dir;

    @Override
    protected StoreFixture fixture() {
        return new SqliteFixture(dir);
    }
}
