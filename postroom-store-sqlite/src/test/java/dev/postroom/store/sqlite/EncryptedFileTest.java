package dev.postroom.store.sqlite;

import dev.postroom.EncryptionKeys;
import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The database files on disk, read byte by byte: an encrypted queue's payload is not in them. */
class EncryptedFileTest {
    @TempDir
    Path dir;

    @Test
    void noFileOfTheStoreHoldsThePlainTextOfAnEncryptedPayload() throws IOException {
        try (Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(dir))
                .encryptionKeys(EncryptionKeys.of("k1", new byte[32])).build()) {
            postroom.createQueue("vault", QueuePolicy.DEFAULT.withEncrypted(true));
            postroom.createQueue("plain");
            postroom.send("vault", Map.of("card", "4111-1111-1111-1111")).join();
            postroom.send("plain", Map.of("card", "5500-0000-0000-0004")).join();
            assertThat(postroom.get(postroom.browse(dev.postroom.MessageQuery.builder().queue("vault").build())
                    .messages().getFirst().id()).orElseThrow().payloadJson()).contains("4111-1111-1111-1111");
        }

        String everything = allFiles();
        assertThat(everything).as("the plain queue's payload, as a check that the files were read").contains("5500-0000-0000-0004");
        assertThat(everything).doesNotContain("4111-1111-1111-1111").contains("postroom.encrypted");
    }

    /** Every file the store left in its directory (database, log, anything else), as Latin-1 text. */
    private String allFiles() throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                all.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
            }
        }
        return all.toString();
    }
}
