package dev.postroom.store.sqlite.tck;

import dev.postroom.tck.EncryptionContract;
import dev.postroom.tck.StoreFixture;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class SqliteEncryptionContractTest extends EncryptionContract {
    @TempDir
    Path dir;

    @Override
    protected StoreFixture fixture() {
        return new SqliteFixture(dir);
    }
}
