package dev.postroom.store.sqlite;

import dev.postroom.Postroom;
import dev.postroom.TransactionalHandlerUnsupportedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The embedded store refuses handlers in its transaction, saying why and what to do instead, and registers nothing. */
class HandlerInTransactionRefusedTest {
    @TempDir
    Path dir;

    @Test
    void handleInTransactionIsRefusedWithTheReasonAndTheQueueKeepsNoHandler() {
        try (Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(dir)).maintenanceInterval(null).build()) {
            postroom.createQueue("refunds");

            assertThatThrownBy(() -> postroom.handleInTransaction("refunds", Map.class, (delivery, connection) -> null))
                    .isInstanceOf(TransactionalHandlerUnsupportedException.class)
                    .hasMessageContaining("use handle() with an idempotent handler, or the PostgreSQL store");

            postroom.handle("refunds", Map.class, delivery -> null); // the queue is still free for an ordinary handler
            assertThat(postroom.queue("refunds").name()).isEqualTo("refunds");
        }
    }
}
