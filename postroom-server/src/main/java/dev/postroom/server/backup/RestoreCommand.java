package dev.postroom.server.backup;

import dev.postroom.StateCounts;
import dev.postroom.server.auth.AuthStore;
import dev.postroom.store.StoreUnavailableException;
import dev.postroom.store.sqlite.SqliteMessageStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code postroom restore FILE --data DIR}: unpacks a backup made by {@code postroom backup} (or
 * {@code POST /api/v1/backups}) into a new or empty data directory, after checking every file
 * against the manifest's checksum, then opens the restored store once to print its messages by
 * state. Works offline: no server is involved; start one on DIR afterwards. Exit codes: 0
 * restored, 1 refused (the directory is not empty, the archive is damaged or not a backup), 2 the
 * command line was wrong.
 */
@Command(name = "restore", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Restore a backup made by 'postroom backup' into a new or empty data directory, checking its checksums first.",
                "Messages that were in flight when the backup was taken are READY again, as after a restart.",
                "Then start the server on it: postroom server --data DIR"})
public final class RestoreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The backup (a .zip written by 'postroom backup').")
    Path archive;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "The data directory to restore into; must be missing or empty.")
    Path data;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            BackupManifest manifest = BackupArchive.restore(archive, data);
            out.printf("restored %s into %s%n", archive, data);
            out.printf("  taken %s by Postroom %s%n", manifest.createdAt(), manifest.postroomVersion());
            manifest.files().forEach((file, entry) -> out.printf("  %-12s schema %s, %,d bytes, SHA-256 verified%n",
                    file, manifest.schemaVersions().getOrDefault(file, "?"), entry.bytes()));
            describe(out);
            return 0;
        } catch (BackupException | StoreUnavailableException e) {
            err.println("postroom restore: " + e.getMessage());
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** Opens what was restored, as the server will: migrations run now, and a file that cannot be opened is found now. */
    private void describe(PrintWriter out) {
        long scheduled = 0, ready = 0, succeeded = 0, dead = 0, cancelled = 0;
        int queues;
        try (SqliteMessageStore store = SqliteMessageStore.open(data)) {
            Map<String, StateCounts> counts = store.counts();
            queues = counts.size();
            for (StateCounts n : counts.values()) {
                scheduled += n.scheduled();
                ready += n.ready() + n.inFlight(); // no leases after a restore: in flight is ready
                succeeded += n.succeeded();
                dead += n.dead();
                cancelled += n.cancelled();
            }
        }
        int users;
        int tokens;
        try (AuthStore auth = AuthStore.open(data)) {
            users = auth.users().size();
            tokens = auth.tokens().size();
        }
        out.printf("  %d queues; messages: %d scheduled, %d ready, %d succeeded, %d dead, %d cancelled%n",
                queues, scheduled, ready, succeeded, dead, cancelled);
        out.printf("  %d users, %d API tokens%n", users, tokens);
    }
}
