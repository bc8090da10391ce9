package dev.postroom.store.sqlite;

import dev.postroom.PostroomException;
import dev.postroom.StoreFullException;
import dev.postroom.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The single writer. Commands queue up while the previous transaction commits; the next
 * transaction takes all of them (up to {@code maxBatch}), so one fsync covers a burst of sends,
 * claims and acks. Each command's future completes only after its transaction commits.
 *
 * <p>Commands check everything before they write, so a command that throws a
 * {@link PostroomException} has written nothing and the rest of the batch commits. A SQL error
 * rolls the whole transaction back and fails every command in it: nothing is acknowledged that
 * was not committed.
 *
 * <p>A commit that fails because the disk is full puts the writer in the {@link FullDisk} state:
 * from then on it refuses every write at once with a {@link StoreFullException}, writing nothing,
 * and still runs claims (which write nothing). Once a second it tries a TRUNCATE checkpoint,
 * which copies the write-ahead log into the database file and empties it; when that worked and
 * there is room again, writes are accepted again, without a restart.
 */
final class GroupCommitter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

    /**
     * After a try to restart the log that did not work (the checkpointer was copying at that very
     * moment, or a long read holds an old snapshot), the next try waits for 1 MiB more of log: a
     * try costs a checkpoint, and a time-based wait let a fast writer add 15 MiB in between.
     */
    private static final long LOG_RESTART_STEP_BYTES = 1L << 20;

    /** A unit of work run on the writer connection inside the current transaction. */
    interface Command<R> {
        R apply(MessageWrites writes) throws SQLException;
    }

    private record Pending<R>(Command<R> command, CompletableFuture<R> future, boolean beforeCommit) {
    }

    private final BlockingQueue<Pending<?>> queue = new LinkedBlockingQueue<>();
    private final Connection connection;
    private final MessageWrites writes;
    private final StateCounters counters;
    private final Leases leases;
    private final int maxBatch;
    private final FullDisk fullDisk;
    private final Path logFile;
    private final long logFileLimit;
    private long logBytesAtLastRestart;
    private final Thread thread;
    private final ExecutorService completer = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("postroom-sqlite-completer").factory());
    private volatile boolean running = true;
    private volatile boolean abandoned;

    GroupCommitter(Connection connection, MessageWrites writes, StateCounters counters, Leases leases, int maxBatch,
                   FullDisk fullDisk, Path logFile, long logFileLimit) {
        this.connection = connection;
        this.fullDisk = fullDisk;
        this.logFile = logFile;
        this.logFileLimit = logFileLimit;
        this.leases = leases;
        this.writes = writes;
        this.counters = counters;
        this.maxBatch = maxBatch;
        this.thread = Thread.ofPlatform().name("postroom-sqlite-writer").daemon().start(this::loop);
    }

    <R> CompletableFuture<R> submit(Command<R> command) {
        return enqueue(command, false);
    }

    /**
     * Like {@link #submit}, but runs at the start of the next transaction and completes as soon as
     * it ran, before the commit. Only for commands that write nothing to disk: claims (leases live
     * in memory). It saves an fsync on the path from send to handler.
     */
    <R> CompletableFuture<R> submitUncommitted(Command<R> command) {
        return enqueue(command, true);
    }

    private <R> CompletableFuture<R> enqueue(Command<R> command, boolean beforeCommit) {
        CompletableFuture<R> future = new CompletableFuture<>();
        if (!running) {
            future.completeExceptionally(new StoreUnavailableException("store is closed", null));
            return future;
        }
        queue.add(new Pending<>(command, future, beforeCommit));
        return future;
    }

    private void loop() {
        List<Pending<?>> batch = new ArrayList<>(maxBatch);
        List<Object> results = new ArrayList<>(maxBatch);
        List<RuntimeException> failures = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty()) {
            try {
                Pending<?> first = queue.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (fullDisk.probeDue()) {
                    recoverFromFullDisk();
                } else if (!fullDisk.isFull() && logTooLong()) {
                    restartLog();
                }
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                if (abandoned) {
                    return;
                }
                if (fullDisk.isFull()) {
                    runClaimsOnly(batch, results, failures);
                } else {
                    runBatch(batch, results, failures);
                }
            } catch (InterruptedException e) {
                if (abandoned) {
                    return;
                }
            } finally {
                batch.clear();
                results.clear();
                failures.clear();
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void runBatch(List<Pending<?>> batch, List<Object> results, List<RuntimeException> failures) {
        // Claims run first, while this transaction has written nothing: they see only committed
        // messages, so a message is never handed out before its send is durable.
        batch.sort((a, b) -> Boolean.compare(b.beforeCommit(), a.beforeCommit()));
        try {
            int claims = 0;
            for (Pending<?> pending : batch) {
                if (!pending.beforeCommit()) {
                    break;
                }
                claims++;
                apply(pending, results, failures);
            }
            if (claims > 0) {
                // Claims are complete now: publish their counts, then let their callers go.
                counters.publish();
                for (int i = 0; i < claims; i++) {
                    complete(batch.get(i), results.get(i), failures.get(i));
                }
            }
            for (Pending<?> pending : batch.subList(claims, batch.size())) {
                apply(pending, results, failures);
            }
            connection.commit();
            leases.afterCommit();
        } catch (SQLException | RuntimeException e) {
            rollback();
            leases.afterRollback();
            StoreUnavailableException failure;
            if (FullDisk.causedBy(e)) {
                fullDisk.enter();
                failure = new StoreFullException("the disk of the data directory is full; nothing was written", e);
                log.error("disk full: writes are refused until space is freed; stored messages are still handed out "
                        + "batch={} usableBytes={} error={}", batch.size(), fullDisk.usableBytes(), e.toString());
            } else {
                failure = new StoreUnavailableException("commit failed: " + e.getMessage(), e);
                log.error("group commit failed; batch of {} rolled back", batch.size(), e);
            }
            List<Pending<?>> failed = batch.stream().filter(p -> !p.beforeCommit()).toList();
            completer.execute(() -> failed.forEach(p -> p.future().completeExceptionally(failure)));
            return;
        }
        counters.publish();
        List<Pending<?>> committed = List.copyOf(batch);
        List<Object> committedResults = new ArrayList<>(results);
        List<RuntimeException> committedFailures = new ArrayList<>(failures);
        // Callers' callbacks run on the completer thread, never on the writer: a slow callback must not stall commits.
        completer.execute(() -> {
            for (int i = 0; i < committed.size(); i++) {
                if (!committed.get(i).beforeCommit()) {
                    completeNow(committed.get(i), committedResults.get(i), committedFailures.get(i));
                }
            }
        });
    }

    /**
     * While the disk is full: claims run (they write nothing), every other command is refused
     * without being tried, so that nothing grows the write-ahead log.
     */
    private void runClaimsOnly(List<Pending<?>> batch, List<Object> results, List<RuntimeException> failures) {
        StoreFullException refused = new StoreFullException("the disk of the data directory is full; "
                + "nothing was written; retry once space is freed", null);
        List<Pending<?>> claims = batch.stream().filter(Pending::beforeCommit).toList();
        List<Pending<?>> refusedWrites = batch.stream().filter(p -> !p.beforeCommit()).toList();
        completer.execute(() -> refusedWrites.forEach(p -> p.future().completeExceptionally(refused)));
        if (claims.isEmpty()) {
            return;
        }
        try {
            for (Pending<?> pending : claims) {
                apply(pending, results, failures);
            }
            counters.publish();
            // Ends the read snapshot: the next claims see what is committed then. Nothing was written.
            connection.commit();
            leases.afterCommit();
        } catch (SQLException | RuntimeException e) {
            rollback();
            leases.afterRollback();
            log.warn("claims failed while the disk is full error={}", e.toString());
        }
        for (int i = 0; i < results.size(); i++) {
            complete(claims.get(i), results.get(i), failures.get(i));
        }
    }

    /**
     * Ends the writer's transaction, asks for a TRUNCATE checkpoint (it copies the log into the
     * database file, which needs room for the pages the log adds, and then empties the log), and
     * leaves the full state when the log is empty and {@link FullDisk#HEADROOM_BYTES} are free.
     * On a disk still full the checkpoint fails having rewritten pages in place only.
     */
    private void recoverFromFullDisk() {
        try (Statement statement = connection.createStatement()) {
            endTransaction(statement);
            boolean emptied;
            try (ResultSet rs = statement.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
                // busy = 0 and no frames left: the log was copied back and truncated to nothing
                emptied = rs.next() && rs.getInt(1) == 0 && rs.getInt(2) == 0;
            } finally {
                statement.execute("BEGIN IMMEDIATE");
            }
            long usable = fullDisk.usableBytes();
            if (emptied && usable >= FullDisk.HEADROOM_BYTES) {
                writes.reloadCounters();
                fullDisk.leave();
                log.warn("disk no longer full: writes accepted again usableBytes={}", usable);
            }
        } catch (SQLException e) {
            log.debug("disk still full error={}", e.toString());
            beginAgainIfNeeded();
        }
    }

    /**
     * Lets the write-ahead log start again from its beginning. SQLite does that only in a write
     * transaction whose snapshot began once every frame had been copied back; this writer begins
     * its next transaction the moment it commits, before the checkpointer has copied anything, so
     * left alone the log only grew (80 MB after 3,000 single sends, filling a small disk long before
     * the data did). Here, between batches: end the empty transaction, copy the last frames back
     * (PASSIVE, which never waits for readers), and begin again.
     */
    private void restartLog() {
        try (Statement statement = connection.createStatement()) {
            endTransaction(statement);
            try {
                statement.executeQuery("PRAGMA wal_checkpoint(PASSIVE)").close();
            } finally {
                statement.execute("BEGIN IMMEDIATE");
            }
        } catch (SQLException e) {
            if (FullDisk.causedBy(e)) {
                fullDisk.enter();
                log.error("disk full: the write-ahead log cannot be copied back; writes are refused until space is "
                        + "freed; stored messages are still handed out usableBytes={} error={}", fullDisk.usableBytes(), e.toString());
            } else {
                log.warn("restarting the write-ahead log failed error={}", e.toString());
            }
            beginAgainIfNeeded();
        }
    }

    /**
     * Whether the log's file has grown past the size SQLite cuts it back to when the log restarts
     * (journal_size_limit): then it holds more than that of frames, and it is time to restart.
     */
    private boolean logTooLong() {
        long bytes;
        try {
            bytes = Files.size(logFile);
        } catch (IOException e) {
            return false; // no log file yet
        }
        if (bytes <= logFileLimit) {
            logBytesAtLastRestart = 0; // restarted: the next time past the limit, try at once
            return false;
        }
        if (bytes < logBytesAtLastRestart + LOG_RESTART_STEP_BYTES) {
            return false;
        }
        logBytesAtLastRestart = bytes;
        return true;
    }

    private void apply(Pending<?> pending, List<Object> results, List<RuntimeException> failures) throws SQLException {
        try {
            results.add(pending.command().apply(writes));
            failures.add(null);
        } catch (PostroomException e) {
            results.add(null);
            failures.add(e);
        }
    }

    private void complete(Pending<?> pending, Object result, RuntimeException failure) {
        completer.execute(() -> completeNow(pending, result, failure));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void completeNow(Pending<?> pending, Object result, RuntimeException failure) {
        CompletableFuture future = pending.future();
        if (failure != null) {
            future.completeExceptionally(failure);
        } else {
            future.complete(result);
        }
    }

    private void rollback() {
        try {
            connection.rollback();
        } catch (SQLException e) {
            // SQLite rolled back by itself (a COMMIT that failed on a full disk or an I/O error), so
            // the driver's ROLLBACK found no transaction and did not begin the next one. Without
            // this, the next batch would run in autocommit: each statement its own commit, and
            // the batch reported failed although part of it was stored.
            beginAgainIfNeeded();
        }
        try {
            writes.reloadCounters();
        } catch (SQLException e) {
            log.error("reloading counters after a rollback failed", e);
        }
    }

    /** Makes sure the writer is inside a transaction again, whatever state a failure left it in. */
    private void beginAgainIfNeeded() {
        try (Statement statement = connection.createStatement()) {
            endTransaction(statement);
            statement.execute("BEGIN IMMEDIATE");
        } catch (SQLException e) {
            log.error("cannot begin the writer's next transaction", e);
        }
    }

    /** Ends the current transaction, if SQLite still has one. */
    private static void endTransaction(Statement statement) {
        try {
            statement.execute("ROLLBACK");
        } catch (SQLException noTransaction) {
            // SQLite had rolled back already
        }
    }

    /** Finishes queued commands, then stops. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join();
            completer.shutdown();
            completer.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops at once without committing what is queued or running: a simulated crash. */
    void abandon() {
        abandoned = true;
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        completer.shutdownNow();
    }
}
