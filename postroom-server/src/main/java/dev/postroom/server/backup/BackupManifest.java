package dev.postroom.server.backup;

import java.time.Instant;
import java.util.Map;

/**
 * {@code manifest.json}, the first entry of a backup archive: which Postroom wrote it and when,
 * the schema version of each database (its latest successful Flyway migration), and each file's
 * size and SHA-256, which a restore checks before it writes anything into the data directory.
 *
 * @param format          {@link BackupArchive#FORMAT}; a restore refuses another
 * @param postroomVersion the version of the server that took the backup
 * @param createdAt       when the copy began
 * @param schemaVersions  file name → Flyway version, e.g. {@code postroom.db → 7}
 * @param files           file name → its size and checksum
 */
public record BackupManifest(int format, String postroomVersion, Instant createdAt, Map<String, String> schemaVersions,
                             Map<String, FileEntry> files) {

    /** One database file of the archive. */
    public record FileEntry(long bytes, String sha256) {
    }
}
