package dev.postroom.store.sqlite;

import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * Whether the data directory's disk is full, as the writer last found it. Entered when a commit
 * fails with {@code SQLITE_FULL}; while in it the writer refuses writes without trying them, so
 * that no retried send or maintenance pass grows the write-ahead log into space freed by the
 * operator before the log could be copied back and truncated (which is how a full disk used to
 * stay full after space was freed). Left once a TRUNCATE checkpoint has emptied the log and
 * {@link #HEADROOM_BYTES} are free again.
 *
 * <p>Entered by the writer or the checkpointer, left by the writer only; read by any thread
 * (readiness, metrics).
 */
final class FullDisk {
    /** 1 MiB free to leave the state: a little more than one large batch; a commit that still fails re-enters it. */
    static final long HEADROOM_BYTES = 1L << 20;
    /** How often the writer tries to recover while full: once a second writes nothing when the disk is still full. */
    static final long PROBE_INTERVAL_NANOS = 1_000_000_000L;

    private final Path dataDir;
    private volatile boolean full;
    private volatile long lastProbeNanos;

    FullDisk(Path dataDir) {
        this.dataDir = dataDir;
    }

    boolean isFull() {
        return full;
    }

    void enter() {
        lastProbeNanos = System.nanoTime();
        full = true;
    }

    void leave() {
        full = false;
    }

    /** True at most once per {@link #PROBE_INTERVAL_NANOS} while full. */
    boolean probeDue() {
        long now = System.nanoTime();
        if (!full || now - lastProbeNanos < PROBE_INTERVAL_NANOS) {
            return false;
        }
        lastProbeNanos = now;
        return true;
    }

    /** Bytes this process may still write on the data directory's file system; 0 when unknown. */
    long usableBytes() {
        try {
            return Files.getFileStore(dataDir).getUsableSpace();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Whether {@code failure}, or a cause of it, is SQLite reporting a full disk. */
    static boolean causedBy(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLiteException e && e.getResultCode() == SQLiteErrorCode.SQLITE_FULL) {
                return true;
            }
            if (t instanceof SQLException e && e.getErrorCode() == SQLiteErrorCode.SQLITE_FULL.code) {
                return true;
            }
        }
        return false;
    }
}
