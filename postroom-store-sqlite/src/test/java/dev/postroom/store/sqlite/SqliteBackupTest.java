package dev.postroom.store.sqlite;

import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.ReceiveOptions;
import dev.postroom.ReceivedMessage;
import dev.postroom.store.StoreUnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link SqliteMessageStore#backup}: a snapshot of what was committed, taken while the store keeps working. */
class SqliteBackupTest {
    @TempDir
    Path dir;

    @Test
    void backupHoldsWhatWasCommittedAndLeasedMessagesComeBackReady() throws Exception {
        Path copy = dir.resolve("copy");
        Files.createDirectories(copy);
        String acked;
        String leased;
        String after;
        try (Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(dir.resolve("live"))).build()) {
            postroom.createQueue("jobs");
            acked = postroom.send("jobs", "{\"n\":1}").join().id();
            List<ReceivedMessage> first = postroom.receive("jobs", ReceiveOptions.DEFAULTS);
            postroom.ack(first.getFirst().id(), first.getFirst().leaseId(), null);
            leased = postroom.send("jobs", "{\"n\":2}").join().id();
            assertThat(postroom.receive("jobs", ReceiveOptions.DEFAULTS)).extracting(ReceivedMessage::id).containsExactly(leased);

            postroom.store().backup(copy.resolve("postroom.db"));
            after = postroom.send("jobs", "{\"n\":3}").join().id();
        }
        try (Postroom restored = Postroom.builder().store(SqliteMessageStore.open(copy)).build()) {
            assertThat(restored.get(acked).orElseThrow().state()).isEqualTo(MessageState.SUCCEEDED);
            assertThat(restored.get(leased).orElseThrow().state()).isEqualTo(MessageState.READY);
            assertThat(restored.get(after)).isEmpty();
        }
    }

    @Test
    void backupRefusesAnExistingFile() throws Exception {
        Path target = Files.writeString(dir.resolve("taken.db"), "keep me");
        try (SqliteMessageStore store = SqliteMessageStore.open(dir.resolve("live"))) {
            assertThatThrownBy(() -> store.backup(target)).isInstanceOf(StoreUnavailableException.class).hasMessageContaining("exists");
        }
        assertThat(Files.readString(target)).isEqualTo("keep me");
    }
}
