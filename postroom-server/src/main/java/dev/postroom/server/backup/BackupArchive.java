package dev.postroom.server.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.postroom.server.Main;
import dev.postroom.server.auth.AuthDatabase;
import dev.postroom.store.MessageStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A backup of the embedded store as one zip: {@code manifest.json} ({@link BackupManifest}), then
 * {@code postroom.db} (messages, queues, topics, schedules, batches) and {@code auth.db} (users,
 * tokens, audit log), each a consistent copy taken with SQLite's {@code VACUUM INTO} while the
 * server keeps running ({@link MessageStore#backup}, {@link AuthDatabase#backup}).
 * <pre>{@code
 * BackupManifest manifest = BackupArchive.create(postroom.store(), auth.database(), clock.instant(), archive);
 * BackupManifest restored = BackupArchive.restore(archive, Path.of("postroom-data-restored"));
 * }</pre>
 *
 * <p>The two files are copied one after the other, so each is consistent in itself; a token
 * created between the two copies is simply in the one it is in. Leases live in memory: a message
 * in flight when the backup began is READY once restored, as after a restart.
 */
public final class BackupArchive {
    /** The layout of the archive; a restore refuses any other. */
    public static final int FORMAT = 1;
    public static final String MANIFEST = "manifest.json";
    /** The message store's file, as {@code SqliteMessageStore} names it. */
    public static final String MESSAGES = "postroom.db";
    /** Users, tokens and the audit log, as {@code AuthDatabase.sqlite} names it. */
    public static final String AUTH = "auth.db";
    private static final List<String> FILES = List.of(MESSAGES, AUTH);
    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();

    private BackupArchive() {
    }

    /**
     * Writes a backup of {@code store} and {@code auth} to {@code archive}, a file that must not
     * exist; the copies are staged in a temporary directory beside it and removed after.
     *
     * @throws dev.postroom.BackupUnsupportedException when the store or the auth database is on PostgreSQL
     * @throws dev.postroom.store.StoreUnavailableException when a copy fails
     * @throws BackupException when the archive cannot be written
     */
    public static BackupManifest create(MessageStore store, AuthDatabase auth, Instant now, Path archive) {
        Path staging = null;
        try {
            staging = Files.createTempDirectory(archive.toAbsolutePath().getParent(), ".postroom-backup-");
            store.backup(staging.resolve(MESSAGES));
            auth.backup(staging.resolve(AUTH));
            Map<String, String> schemas = new LinkedHashMap<>();
            Map<String, BackupManifest.FileEntry> files = new LinkedHashMap<>();
            for (String file : FILES) {
                Path copy = staging.resolve(file);
                schemas.put(file, schemaVersion(copy));
                files.put(file, new BackupManifest.FileEntry(Files.size(copy), sha256(copy)));
            }
            BackupManifest manifest = new BackupManifest(FORMAT, Main.VERSION, now, schemas, files);
            try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(archive, java.nio.file.StandardOpenOption.CREATE_NEW))) {
                zip.putNextEntry(new ZipEntry(MANIFEST));
                zip.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
                zip.closeEntry();
                for (String file : FILES) {
                    zip.putNextEntry(new ZipEntry(file));
                    Files.copy(staging.resolve(file), zip);
                    zip.closeEntry();
                }
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(archive);
                throw e;
            }
            return manifest;
        } catch (IOException e) {
            throw new BackupException("cannot write the backup " + archive + ": " + e.getMessage(), e);
        } finally {
            deleteTree(staging);
        }
    }

    /**
     * Unpacks {@code archive} into {@code dataDir}, which must be missing or empty, after checking
     * every file against the manifest's size and checksum: files are unpacked into a staging
     * directory beside {@code dataDir} and moved in only when all of them match, so a corrupted or
     * truncated archive leaves {@code dataDir} as it was. Returns the archive's manifest.
     *
     * @throws BackupException when {@code dataDir} is not empty, the archive is not a Postroom
     *                         backup, or a file is missing or does not match its checksum
     */
    public static BackupManifest restore(Path archive, Path dataDir) {
        if (!Files.isRegularFile(archive)) {
            throw new BackupException("no backup file " + archive);
        }
        if (!isMissingOrEmpty(dataDir)) {
            throw new BackupException(dataDir + " is not empty: restore into a new or empty directory");
        }
        Path parent = dataDir.toAbsolutePath().getParent();
        Path staging = null;
        try {
            Files.createDirectories(parent);
            staging = Files.createTempDirectory(parent, ".postroom-restore-");
            BackupManifest manifest = null;
            Map<String, String> checksums = new LinkedHashMap<>();
            try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(archive))) {
                for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                    String name = entry.getName();
                    if (MANIFEST.equals(name)) {
                        manifest = JSON.readValue(zip.readAllBytes(), BackupManifest.class);
                    } else if (FILES.contains(name)) {
                        checksums.put(name, copyHashing(zip, staging.resolve(name)));
                    } else {
                        throw new BackupException(archive + " is not a Postroom backup: unexpected entry " + name);
                    }
                }
            } catch (java.util.zip.ZipException | com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new BackupException(archive + " is not a Postroom backup (or is damaged): " + e.getMessage(), e);
            }
            verify(archive, manifest, checksums, staging);
            Files.createDirectories(dataDir);
            for (String file : FILES) {
                Files.move(staging.resolve(file), dataDir.resolve(file), StandardCopyOption.ATOMIC_MOVE);
            }
            return manifest;
        } catch (IOException e) {
            throw new BackupException("cannot restore " + archive + " into " + dataDir + ": " + e.getMessage(), e);
        } finally {
            deleteTree(staging);
        }
    }

    private static void verify(Path archive, BackupManifest manifest, Map<String, String> checksums, Path staging) throws IOException {
        if (manifest == null) {
            throw new BackupException(archive + " is not a Postroom backup: it has no " + MANIFEST);
        }
        if (manifest.format() != FORMAT) {
            throw new BackupException(archive + " has backup format " + manifest.format() + "; this Postroom " + Main.VERSION
                    + " reads format " + FORMAT);
        }
        for (String file : FILES) {
            BackupManifest.FileEntry expected = manifest.files() == null ? null : manifest.files().get(file);
            if (expected == null || !checksums.containsKey(file)) {
                throw new BackupException(archive + " is incomplete: " + file + " is missing");
            }
            long size = Files.size(staging.resolve(file));
            if (size != expected.bytes() || !checksums.get(file).equals(expected.sha256())) {
                throw new BackupException(archive + " is damaged: " + file + " has " + size + " bytes and SHA-256 " + checksums.get(file)
                        + ", the manifest says " + expected.bytes() + " bytes and " + expected.sha256());
            }
        }
    }

    private static boolean isMissingOrEmpty(Path dir) {
        if (!Files.exists(dir)) {
            return true;
        }
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            return !entries.iterator().hasNext();
        } catch (IOException e) {
            throw new BackupException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The latest successful migration in the copy's Flyway history, or "none". */
    private static String schemaVersion(Path database) {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database.toAbsolutePath());
             ResultSet rs = connection.createStatement().executeQuery("SELECT version FROM flyway_schema_history "
                     + "WHERE success = 1 AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1")) {
            return rs.next() ? rs.getString(1) : "none";
        } catch (SQLException e) {
            throw new BackupException("cannot read the schema version of " + database.getFileName() + ": " + e.getMessage(), e);
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return copyHashing(in, null);
        }
    }

    /** Copies {@code in} to {@code target} (or nowhere, when null) and returns the bytes' SHA-256 in hex. */
    private static String copyHashing(InputStream in, Path target) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        DigestInputStream hashing = new DigestInputStream(in, digest);
        if (target == null) {
            hashing.transferTo(OutputStream.nullOutputStream());
        } else {
            Files.copy(hashing, target);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a leftover staging directory wastes space but loses nothing; the operator sees it beside the target
            org.slf4j.LoggerFactory.getLogger(BackupArchive.class).warn("cannot remove staging directory dir={}", dir, e);
        }
    }
}
