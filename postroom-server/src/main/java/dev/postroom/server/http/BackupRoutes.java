package dev.postroom.server.http;

import dev.postroom.Postroom;
import dev.postroom.server.auth.AuthDatabase;
import dev.postroom.server.auth.Scope;
import dev.postroom.server.backup.BackupArchive;
import dev.postroom.server.backup.BackupManifest;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * {@code POST /api/v1/backups}, admin scope: a consistent copy of the embedded store and its users,
 * tokens and audit log as one zip ({@link BackupArchive}), answered as {@code application/octet-stream}
 * with a {@code Content-Disposition} file name. The archive is built in a temporary file first, so a
 * failure is still a problem+json answer rather than a truncated download; the file is removed once
 * sent. On PostgreSQL the store refuses ({@code BackupUnsupportedException}, 422 naming pg_dump).
 */
final class BackupRoutes {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private final Postroom postroom;
    private final AuthDatabase auth;
    private final InstantSource clock;
    private final AuditTrail audit;

    BackupRoutes(Postroom postroom, AuthDatabase auth, InstantSource clock, AuditTrail audit) {
        this.postroom = postroom;
        this.auth = auth;
        this.clock = clock;
        this.audit = audit;
    }

    void register(RoutesConfig routes) {
        routes.post("/api/v1/backups", this::backup);
    }

    private void backup(Context ctx) throws IOException {
        Access.require(ctx, Scope.Kind.ADMIN);
        Instant now = clock.instant();
        String name = "postroom-backup-" + STAMP.format(now) + ".zip";
        Path dir = Files.createTempDirectory("postroom-backup-");
        Path archive = dir.resolve(name);
        BackupManifest manifest;
        try {
            manifest = BackupArchive.create(postroom.store(), auth, now, archive);
        } catch (RuntimeException e) {
            try {
                Files.deleteIfExists(dir); // empty: the archive cleans up after itself when it fails
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        long bytes = Files.size(archive);
        audit.record(ctx, "backup.create", "backup", name, Map.of("bytes", bytes, "schemaVersions", manifest.schemaVersions()));
        ctx.status(200).contentType("application/octet-stream")
                .header("Content-Disposition", "attachment; filename=\"" + name + "\"")
                .result(new RemovedOnClose(archive));
    }

    /** The archive's bytes; closing (Javalin does once it has sent them) removes the file and its directory. */
    private static final class RemovedOnClose extends FilterInputStream {
        private final Path file;

        RemovedOnClose(Path file) throws IOException {
            super(Files.newInputStream(file));
            this.file = file;
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(file.getParent());
            }
        }
    }
}
