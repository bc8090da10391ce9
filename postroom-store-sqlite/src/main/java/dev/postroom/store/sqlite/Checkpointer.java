package dev.postroom.store.sqlite;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Copies the write-ahead log back into the database file on its own thread. SQLite would
 * otherwise checkpoint inside the writer's commit every 1,000 pages, stalling every send and ack
 * in that batch; a PASSIVE checkpoint here runs beside the writer (on the other core) and never
 * blocks it. When the log has grown past {@link #TRUNCATE_PAGES} the checkpoint restarts it, so
 * the file does not grow without bound.
 */
final class Checkpointer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Checkpointer.class);
    /** 1 s: a page rewritten by many commits in that second is copied back once; the log stays tens of MB. */
    private static final long INTERVAL_MILLIS = Long.getLong("postroom.checkpointMillis", 1000);
    /** 64 MiB of 4 KiB pages: past this, ask for a RESTART checkpoint, which waits for readers briefly. */
    private static final int TRUNCATE_PAGES = 16_384;

    private final DataSource connections;
    private final FullDisk fullDisk;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param fullDisk entered when a checkpoint fails for want of space: the log could not be
     *                 copied back, so every further commit would grow it. While full, the writer
     *                 checkpoints itself (see GroupCommitter) and this one waits.
     */
    Checkpointer(DataSource connections, FullDisk fullDisk) {
        this.connections = connections;
        this.fullDisk = fullDisk;
        this.thread = Thread.ofPlatform().daemon().name("postroom-sqlite-checkpoint").start(this::loop);
    }

    private void loop() {
        while (running) {
            try {
                Thread.sleep(INTERVAL_MILLIS);
                if (!fullDisk.isFull()) {
                    checkpoint();
                }
            } catch (InterruptedException e) {
                return;
            } catch (SQLException e) {
                if (running && FullDisk.causedBy(e)) {
                    fullDisk.enter();
                    log.error("disk full: the write-ahead log cannot be copied back; writes are refused until space is "
                            + "freed; stored messages are still handed out usableBytes={} error={}", fullDisk.usableBytes(), e.toString());
                } else if (running) {
                    log.warn("checkpoint failed error={}", e.toString());
                }
            }
        }
    }

    private void checkpoint() throws SQLException {
        try (Connection c = connections.getConnection(); Statement s = c.createStatement()) {
            int logPages;
            try (ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
                logPages = rs.next() ? rs.getInt(2) : 0;
            }
            if (logPages > TRUNCATE_PAGES) {
                s.execute("PRAGMA wal_checkpoint(RESTART)");
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
