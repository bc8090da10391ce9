package dev.postroom.server.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * {@code postroom backup --to FILE}: downloads a backup of a running embedded server
 * ({@code POST /api/v1/backups}, admin token) into FILE. The bytes go to a temporary file beside
 * FILE that is moved into place only once the download is whole, so FILE is never half-written;
 * an existing FILE is kept unless {@code --force}. Restore it with {@code postroom restore}.
 */
@Command(name = "backup", sortOptions = false,
        description = {"Download a consistent backup of a running server on the embedded store (messages, users, tokens, audit log)",
                "as one zip; the server keeps working meanwhile. Needs an admin token. Restore it with 'postroom restore'.",
                "On PostgreSQL use pg_dump instead (see docs/backups.md)."})
public final class BackupCommand extends ApiCommand {
    /** Until the answer starts: the server copies both databases before it sends the first byte. */
    static final Duration TIMEOUT = Duration.ofMinutes(30);

    @Option(names = "--to", required = true, paramLabel = "FILE", description = "Where to write the backup, e.g. postroom-backup.zip.")
    Path to;

    @Option(names = "--force", description = "Replace FILE if it exists.")
    boolean force;

    @Override
    void execute(ApiClient client) {
        Path target = to.toAbsolutePath();
        if (Files.isDirectory(target)) {
            throw new CliException(to + " is a directory; name the backup file, e.g. --to " + to.resolve("postroom-backup.zip"));
        }
        if (Files.exists(target) && !force) {
            throw new CliException(to + " exists; pass --force to replace it");
        }
        Path part;
        try {
            Files.createDirectories(target.getParent());
            part = Files.createTempFile(target.getParent(), "." + target.getFileName() + "-", ".part");
        } catch (IOException e) {
            throw new CliException("cannot write " + to + ": " + e.getMessage());
        }
        try {
            client.download("/api/v1/backups", part, TIMEOUT);
            if (Files.exists(target) && !force) { // it may have appeared during the download
                throw new CliException(to + " exists; pass --force to replace it");
            }
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            long bytes = Files.size(target);
            if (json()) {
                printJson(ApiClient.JSON.createObjectNode().put("file", target.toString()).put("bytes", bytes));
            } else {
                out().printf("backup written to %s (%,d bytes)%n", to, bytes);
            }
        } catch (IOException e) {
            throw new CliException("cannot write " + to + ": " + e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(part);
            } catch (IOException e) {
                err().println("postroom: could not remove the partial download " + part + ": " + e.getMessage());
            }
        }
    }
}
