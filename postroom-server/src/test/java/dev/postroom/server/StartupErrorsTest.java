package dev.postroom.server;

import dev.postroom.store.sqlite.SqliteMessageStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A data directory the server cannot use at start: one line on stderr that says what is wrong,
 * exit code 1, and no stack trace. Before, a damaged {@code postroom.db} printed Flyway's
 * report and some sixty lines of stack trace. (A read-only data directory needs a read-only
 * mount, and so root: see {@link DiskFullTest}.)
 */
class StartupErrorsTest {
    /** A store as the server leaves it, with a queue in it, made once: each test damages a copy. */
    private static Path store;

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    @BeforeAll
    static void makeStore() {
        store = shared.resolve("store");
        try (SqliteMessageStore opened = SqliteMessageStore.open(store)) {
            opened.upsertQueue("work", dev.postroom.QueuePolicy.DEFAULT, java.time.Instant.now()).join();
        }
    }

    @Test
    void garbageOverTheDatabaseHeaderIsOneLineAndExitCodeOne() throws Exception {
        Path data = storeIn("garbage");
        try (RandomAccessFile file = new RandomAccessFile(data.resolve("postroom.db").toFile(), "rw")) {
            file.write("this is not what SQLite wrote here, not at all ".repeat(4).getBytes(StandardCharsets.US_ASCII));
        }

        ServerExit exit = ServerExit.of(data);

        assertThat(exit.code()).as("exit code; stderr:%n%s", exit.stderr()).isEqualTo(1);
        assertThat(exit.errorLines()).as("stderr").containsExactly("postroom server: cannot open SQLite store in "
                + data.toAbsolutePath() + ": postroom.db is damaged (SQLITE_NOTADB: File opened that is not a database file); "
                + "restore it from a backup with 'postroom restore'");
    }

    @Test
    void truncatedDatabaseIsOneLineAndExitCodeOne() throws Exception {
        Path data = storeIn("truncated");
        try (RandomAccessFile file = new RandomAccessFile(data.resolve("postroom.db").toFile(), "rw")) {
            file.setLength(5_000); // the header says more pages than there are
        }

        ServerExit exit = ServerExit.of(data);

        assertThat(exit.code()).as("exit code; stderr:%n%s", exit.stderr()).isEqualTo(1);
        assertThat(exit.errorLines()).as("stderr").singleElement().asString()
                .startsWith("postroom server: cannot open SQLite store in " + data.toAbsolutePath() + ": postroom.db is damaged (SQLITE_CORRUPT");
    }

    @Test
    void aKeyFileThatHoldsNoKeyIsOneLineAndExitCodeTwo() throws Exception {
        Path data = storeIn("short-key");
        Path keyFile = Files.writeString(dir.resolve("key"), "c2hvcnQ=\n");

        ServerExit exit = ServerExit.of(data, "--encryption-key-file", keyFile.toString());

        assertThat(exit.code()).as("exit code; stderr:%n%s", exit.stderr()).isEqualTo(2);
        assertThat(exit.errorLines()).as("stderr").containsExactly("postroom server: encryption key 1 must be 32 bytes (AES-256), "
                + "was 5; make one with: openssl rand -base64 32");
    }

    @Test
    void anEncryptedQueueWithoutItsKeyIsOneLineAndExitCodeOne() throws Exception {
        Path data = Files.createDirectories(dir.resolve("encrypted"));
        try (dev.postroom.Postroom postroom = dev.postroom.Postroom.builder().store(SqliteMessageStore.open(data))
                .encryptionKeys(dev.postroom.EncryptionKeys.of("k1", new byte[32])).build()) {
            postroom.createQueue("vault", dev.postroom.QueuePolicy.DEFAULT.withEncrypted(true));
        }

        ServerExit exit = ServerExit.of(data);

        assertThat(exit.code()).as("exit code; stderr:%n%s", exit.stderr()).isEqualTo(1);
        assertThat(exit.errorLines()).as("stderr").containsExactly("postroom server: queue 'vault' is encrypted and no encryption key is configured");
    }

    /** A copy of the store in a directory of its own; the store was closed, so its log is empty. */
    private Path storeIn(String name) throws Exception {
        Path data = Files.createDirectories(dir.resolve(name));
        Files.copy(store.resolve("postroom.db"), data.resolve("postroom.db"));
        return data;
    }
}
