package dev.postroom.store.sqlite;

import dev.postroom.store.StoreUnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What only the embedded store promises; message semantics are in the TCK. */
class SqliteMessageStoreTest {
    @TempDir
    Path dir;

    @Test
    void databaseIsOneFileInWalMode() throws Exception {
        SqliteMessageStore.open(dir).close();
        assertThat(dir.resolve("postroom.db")).exists();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("postroom.db"));
             ResultSet rs = c.createStatement().executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
        }
    }

    @Test
    void secondOpenOfTheSameDirectoryIsRefusedWhileTheFirstIsOpen() {
        try (SqliteMessageStore first = SqliteMessageStore.open(dir)) {
            assertThatThrownBy(() -> SqliteMessageStore.open(dir))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("in use by another Postroom");
        }
        SqliteMessageStore.open(dir).close();
    }

    @Test
    void crashReleasesTheDirectory() {
        SqliteMessageStore.open(dir).crashForTesting();
        SqliteMessageStore.open(dir).close();
    }
}
