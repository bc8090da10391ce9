package dev.postroom.store.sqlite.tck;

import dev.postroom.store.MessageStore;
import dev.postroom.store.sqlite.SqliteMessageStore;
import dev.postroom.tck.StoreFixture;

import java.nio.file.Path;

/** Opens the SQLite store in one directory each time; a crash abandons it without flushing. */
final class SqliteFixture implements StoreFixture {
    private final Path dir;

    SqliteFixture(Path dir) {
        this.dir = dir;
    }

    @Override
    public MessageStore open() {
        return SqliteMessageStore.open(dir);
    }

    @Override
    public void crash(MessageStore store) {
        ((SqliteMessageStore) store).crashForTesting();
    }
}
