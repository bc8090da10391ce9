package dev.postroom.store.sqlite;

import dev.postroom.Postroom;
import dev.postroom.ReceiveOptions;
import dev.postroom.ReceivedMessage;
import dev.postroom.StoreFullException;
import dev.postroom.tck.TmpfsMount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The embedded store on a disk that fills up (an 8 MiB tmpfs holding a 4 MiB filler; root only,
 * skipped with a warning otherwise, failed under {@code POSTROOM_CI=1}), through the Java API.
 *
 * <p>Before: a COMMIT that failed with SQLITE_FULL was rolled back by SQLite itself, so the
 * driver's ROLLBACK failed and did not begin the writer's next transaction. Every later batch ran
 * in autocommit and then failed at its commit ("cannot commit - no transaction is active"), its
 * statements soon closed ("statement is not executing"): the store refused every write for good,
 * with a plain StoreUnavailableException, even after space was freed.
 *
 * <p>Now: writes fail with {@link StoreFullException} and write nothing, stored messages are still
 * handed out, and the store accepts writes again by itself once space is freed.
 */
class SqliteDiskFullTest {
    @TempDir
    Path dir;

    @Test
    void fullDiskThrowsStoreFullExceptionKeepsHandingOutAndRecoversOnceSpaceIsFreed() throws Exception {
        try (TmpfsMount disk = TmpfsMount.mount(dir.resolve("disk"), 8)) {
            Path filler = filler(disk.path().resolve("filler"), 4);
            Path data = disk.path().resolve("data");
            try (Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(data)).build()) {
                postroom.createQueue("fill");
                Map<String, String> payload = Map.of("pad", "x".repeat(4000));
                List<String> acknowledged = new ArrayList<>();
                Throwable refused = null;
                for (int i = 0; i < 5_000 && refused == null; i++) {
                    try {
                        acknowledged.add(postroom.send("fill", payload).join().id());
                    } catch (CompletionException e) {
                        refused = e.getCause();
                    }
                }
                assertThat(refused).as("the send that found the disk full").isInstanceOf(StoreFullException.class);
                assertThat(acknowledged).as("sends acknowledged before").hasSizeGreaterThan(50);
                assertThat(postroom.store().diskFull()).as("diskFull() while full").isTrue();

                List<ReceivedMessage> received = postroom.receive("fill", new ReceiveOptions(2, Duration.ZERO, null));
                assertThat(received).as("messages handed out while full").hasSize(2);
                ReceivedMessage first = received.getFirst();
                assertThatThrownBy(() -> postroom.ack(first.id(), first.leaseId(), null)).isInstanceOf(StoreFullException.class);
                assertThatThrownBy(() -> postroom.send("fill", payload).join()).hasCauseInstanceOf(StoreFullException.class);

                Files.delete(filler);
                await("the store leaving the full state").atMost(Duration.ofSeconds(20)).until(() -> !postroom.store().diskFull());

                acknowledged.add(postroom.send("fill", payload).join().id());
                for (ReceivedMessage message : received) {
                    postroom.ack(message.id(), message.leaseId(), null);
                }
                for (String id : acknowledged) {
                    assertThat(postroom.get(id)).as("acknowledged message %s", id).isPresent();
                }
                // The log was copied back and emptied while recovering: it does not keep the freed space.
                assertThat(Files.size(data.resolve("postroom.db-wal"))).as("write-ahead log bytes").isLessThan(1L << 20);
            }
        }
    }

    private static Path filler(Path file, int mebibytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer mebibyte = ByteBuffer.allocate(1 << 20);
            for (int i = 0; i < mebibytes; i++) {
                channel.write(mebibyte.clear());
            }
        }
        return file;
    }
}
