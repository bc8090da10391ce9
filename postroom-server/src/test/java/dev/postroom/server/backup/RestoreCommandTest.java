package dev.postroom.server.backup;

import dev.postroom.Postroom;
import dev.postroom.server.auth.AuthStore;
import dev.postroom.server.cli.CliRun;
import dev.postroom.store.sqlite.SqliteMessageStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code postroom restore}: what it refuses, and that it leaves the target as it was when it does. */
class RestoreCommandTest {
    @TempDir
    Path dir;
    Path archive;

    static CliRun restore(String... args) {
        return CliRun.run(new RestoreCommand(), args);
    }

    @BeforeEach
    void backUpAStoreWithOneMessageAndOneUser() {
        Path live = dir.resolve("live");
        archive = dir.resolve("backup.zip");
        try (Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(live)).build();
             AuthStore auth = AuthStore.open(live)) {
            postroom.createQueue("reports");
            postroom.send("reports", "{\"q\":3}").join();
            auth.addUser("alice", "correct horse battery", dev.postroom.server.auth.Role.ADMIN, Instant.now());
            BackupArchive.create(postroom.store(), auth.database(), Instant.now(), archive);
        }
    }

    @Test
    void restoresIntoAMissingDirectoryAndSaysWhatItRestored() {
        Path target = dir.resolve("restored");

        CliRun run = restore(archive.toString(), "--data", target.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("restored " + archive + " into " + target)
                .contains("postroom.db").contains("auth.db").contains("SHA-256 verified")
                .contains("1 queues; messages: 0 scheduled, 1 ready, 0 succeeded, 0 dead, 0 cancelled")
                .contains("1 users");
        assertThat(target.resolve("postroom.db")).exists();
        assertThat(target.resolve("auth.db")).exists();
    }

    @Test
    void refusesADirectoryThatIsNotEmpty() throws IOException {
        Path target = Files.createDirectories(dir.resolve("busy"));
        Files.writeString(target.resolve("notes.txt"), "mine");

        CliRun run = restore(archive.toString(), "--data", target.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("postroom restore: " + target + " is not empty");
        try (var files = Files.list(target)) {
            assertThat(files).containsExactly(target.resolve("notes.txt"));
        }
    }

    @Test
    void refusesAnArchiveWhoseFileDoesNotMatchItsChecksumAndWritesNothing() throws IOException {
        Path damaged = dir.resolve("damaged.zip");
        rewriteFlippingOneByteOf(BackupArchive.MESSAGES, archive, damaged);
        Path target = dir.resolve("restored");

        CliRun run = restore(damaged.toString(), "--data", target.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("postroom restore: " + damaged + " is damaged: postroom.db has ");
        assertThat(target).doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files).as("no staging directory left behind").allSatisfy(f -> assertThat(f.getFileName().toString()).doesNotStartWith("."));
        }
    }

    @Test
    void refusesAFileThatIsNotABackup() throws IOException {
        Path notes = Files.writeString(dir.resolve("notes.zip"), "not a zip at all");

        CliRun run = restore(notes.toString(), "--data", dir.resolve("restored").toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("postroom restore: " + notes + " is not a Postroom backup");
        assertThat(dir.resolve("restored")).doesNotExist();
    }

    /** Copies the archive entry by entry, with one byte in the middle of {@code name} changed; the manifest stays as it was. */
    private static void rewriteFlippingOneByteOf(String name, Path from, Path to) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(from));
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(to))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                byte[] bytes = in.readAllBytes();
                if (entry.getName().equals(name)) {
                    bytes[bytes.length / 2] ^= 0x01;
                }
                out.putNextEntry(new ZipEntry(entry.getName()));
                out.write(bytes);
                out.closeEntry();
            }
        }
    }
}
