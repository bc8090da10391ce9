package dev.postroom.store.sqlite.tck;

import dev.postroom.tck.StoreFixture;
import dev.postroom.tck.TopicContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class SqliteTopicContractTest extends TopicContract {
    @TempDir
    Path dir;

    @Override
    protected StoreFixture fixture() {
        return new SqliteFixture(dir);
    }
}
