package dev.postroom.store.sqlite;

import dev.postroom.Postroom;
import dev.postroom.StateCounts;
import dev.postroom.TransactionalSendUnsupportedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The embedded store cannot join a caller's transaction, and says so rather than send on its own. */
class SqliteTransactionalSendTest {
    @TempDir
    Path dir;

    @Test
    void sendInCallersTransactionIsRefusedSayingWhyAndWritesNothing() throws Exception {
        try (Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(dir)).maintenanceInterval(null).build();
             Connection tx = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("app.db"))) {
            postroom.createQueue("refunds");
            tx.setAutoCommit(false);

            assertThatThrownBy(() -> postroom.send(tx, "refunds", "order-1"))
                    .isInstanceOf(TransactionalSendUnsupportedException.class)
                    .hasMessageContaining("SQLite store owns its database file");
            assertThat(postroom.queue("refunds").counts()).isEqualTo(StateCounts.EMPTY);
        }
    }
}
