package dev.postroom.store.sqlite;

import dev.postroom.Postroom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The write-ahead log's file stays near 16 MiB (the store's journal_size_limit) however many
 * commits go through it.
 *
 * <p>Before: the writer began its next transaction the moment it committed, before the
 * checkpointer had copied anything back, and SQLite restarts the log only in a transaction that
 * began with every frame copied back. So the log only grew: 80 MB after 3,000 single sends of
 * 4 KiB (a 13 MB database), until a RESTART checkpoint happened to catch the writer between two
 * transactions. On a small disk the log filled the disk long before the data did.
 */
class SqliteLogSizeTest {
    private static final long LIMIT = 16L << 20;

    @TempDir
    Path dir;

    @Test
    void logFileStaysNearItsLimitUnderManySmallCommits() throws Exception {
        Path log = dir.resolve("postroom.db-wal");
        SqliteOptions options = SqliteOptions.of(dir).withDurability(SqliteOptions.Durability.RELAXED);
        long largest = 0;
        try (Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(options)).build()) {
            postroom.createQueue("log");
            Map<String, String> payload = Map.of("pad", "x".repeat(4000));
            for (int i = 0; i < 1_500; i++) {
                postroom.send("log", payload).join(); // one commit each: sends one after another
                largest = Math.max(largest, Files.size(log));
            }
        }
        // The writer restarts the log before its next batch once the file is past the limit; a try
        // that does not work (the checkpointer copying at that moment) is repeated 1 MiB later.
        assertThat(largest).as("largest write-ahead log file, bytes").isLessThanOrEqualTo(LIMIT + (4L << 20));
    }
}
