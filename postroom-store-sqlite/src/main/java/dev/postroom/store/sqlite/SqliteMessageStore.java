package dev.postroom.store.sqlite;

import dev.postroom.store.jdbc.Dialect;
import dev.postroom.store.jdbc.JdbcSchedules;
import dev.postroom.store.jdbc.JdbcTopics;
import dev.postroom.store.jdbc.StoreAccess;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.postroom.store.jdbc.StoredJson;
import dev.postroom.Message;
import dev.postroom.MessagePage;
import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.QueuePolicy;
import dev.postroom.StateCounts;
import dev.postroom.TransactionalSendUnsupportedException;
import dev.postroom.store.ClaimRequest;
import dev.postroom.store.ClaimedMessage;
import dev.postroom.store.Completion;
import dev.postroom.store.Failure;
import dev.postroom.store.LeaseExtension;
import dev.postroom.store.MessageAction;
import dev.postroom.store.MessageStore;
import dev.postroom.store.ProgressReport;
import dev.postroom.store.RetryPlanner;
import dev.postroom.store.ScheduleStore;
import dev.postroom.store.SendBatch;
import dev.postroom.store.SendOutcome;
import dev.postroom.store.Settlement;
import dev.postroom.store.StoreUnavailableException;
import dev.postroom.store.StoredQueue;
import dev.postroom.store.TopicStore;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded {@link MessageStore}: one SQLite file ({@code postroom.db}) in WAL mode, group
 * commit through a single writer, schema managed by Flyway.
 * <pre>{@code
 * MessageStore store = SqliteMessageStore.open(Path.of("postroom-data"));
 * }</pre>
 * The backlog stays on disk: memory use does not grow with the number of waiting messages. Leases
 * live in memory: after a crash or restart every message that was in flight is READY again, and
 * the interrupted attempt is not counted. Only one process may open a data directory at a time.
 */
public final class SqliteMessageStore implements MessageStore {
    private static final Logger log = LoggerFactory.getLogger(SqliteMessageStore.class);
    private static final String FILE = "postroom.db";
    /** 16 MiB: a second of group commits at full speed fits, and a small disk gets the rest back. */
    private static final long JOURNAL_SIZE_LIMIT_BYTES = 16L << 20;

    private final SqliteOptions options;
    private final DirectoryLock lock;
    private final Connection writer;
    private final HikariDataSource readers;
    private final StateCounters counters = new StateCounters();
    private final Map<String, StoredQueue> queues = new ConcurrentHashMap<>();
    private final GroupCommitter committer;
    private final MessageReads reads;
    private final MessageWrites writes;
    private final MessageBrowser browser;
    private final Checkpointer checkpointer;
    private final JdbcTopics topics;
    private final dev.postroom.store.jdbc.JdbcArchive archive;
    private final JdbcSchedules schedules;
    private final SqliteBatchStore batches;
    private final SqliteWorkflowStore workflows;
    private final FullDisk fullDisk;
    private volatile boolean closed;

    private SqliteMessageStore(SqliteOptions options) throws SQLException, IOException {
        this.options = options;
        Files.createDirectories(options.dataDir());
        this.lock = DirectoryLock.acquire(options.dataDir());
        String url = "jdbc:sqlite:" + options.dataDir().resolve(FILE).toAbsolutePath();
        checkReadable(url, options.dataDir().resolve(FILE));
        Flyway.configure().loggers("slf4j").dataSource(url, null, null).locations("classpath:db/sqlite").load().migrate();

        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(options.durability() == SqliteOptions.Durability.FULL
                ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(10_000);
        config.setCacheSize(-65_536);
        config.setTempStore(SQLiteConfig.TempStore.MEMORY);
        // Ids come from MessageIds; asking SQLite for generated keys after every insert costs a query each.
        config.setGetGeneratedKeys(false);
        // The writer takes the write lock when its transaction starts: its claims read first, and a
        // deferred transaction whose snapshot a checkpoint restarted could not be upgraded to write.
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        this.writer = config.createConnection(url);
        try (var statement = writer.createStatement()) {
            statement.execute("PRAGMA wal_autocheckpoint = 0");
            // Each time the log restarts after a checkpoint its file is cut back to this size, so a
            // burst's log does not keep its disk space for good (SQLite keeps the file otherwise).
            statement.execute("PRAGMA journal_size_limit = " + JOURNAL_SIZE_LIMIT_BYTES);
        }
        writer.setAutoCommit(false);

        HikariConfig pool = new HikariConfig();
        pool.setPoolName("postroom-sqlite-readers");
        pool.setJdbcUrl(url);
        pool.setMaximumPoolSize(4);
        pool.setMinimumIdle(1);
        pool.addDataSourceProperty("journal_mode", "WAL");
        pool.addDataSourceProperty("busy_timeout", "10000");
        this.readers = new HikariDataSource(pool);

        StoredJson json = new StoredJson();
        loadQueues(json);
        Leases leases = new Leases();
        this.writes = new MessageWrites(writer, counters, json, queues, leases);
        writes.reloadCounters();
        this.reads = new MessageReads(readers, json, leases);
        this.browser = new MessageBrowser(readers, leases, counters, queues::keySet);
        this.fullDisk = new FullDisk(options.dataDir());
        this.committer = new GroupCommitter(writer, writes, counters, leases, options.maxBatch(), fullDisk,
                options.dataDir().resolve(FILE + "-wal"), JOURNAL_SIZE_LIMIT_BYTES);
        this.checkpointer = new Checkpointer(readers, fullDisk);
        // Shared parts write through the one writer, inside its group commit; they read from the pool.
        StoreAccess access = new StoreAccess() {
            @Override
            public <T> CompletableFuture<T> write(Write<T> work) {
                return committer.submit(w -> work.apply(writer));
            }

            @Override
            public Connection reader() throws SQLException {
                return readers.getConnection();
            }
        };
        this.topics = new JdbcTopics(access, Dialect.SQLITE, json);
        this.archive = new dev.postroom.store.jdbc.JdbcArchive(access, Dialect.SQLITE, json);
        this.schedules = new JdbcSchedules(access, Dialect.SQLITE, json, (c, batch) -> writes.send(batch));
        this.batches = new SqliteBatchStore(committer, new BatchWrites(writer, json), readers, json, leases);
        WorkflowReads workflowReads = new WorkflowReads(json, leases);
        this.workflows = new SqliteWorkflowStore(committer, new WorkflowWrites(writer, json, workflowReads), workflowReads, readers);
        log.info("sqlite store open file={} durability={} queues={}", options.dataDir().resolve(FILE), options.durability(), queues.size());
    }

    /**
     * Fails at once on a file that is not a database, or whose schema SQLite cannot read: Flyway
     * would take the error for a race with another migrator and retry for ten seconds first.
     */
    private static void checkReadable(String url, Path file) throws SQLException {
        if (!Files.exists(file)) {
            return;
        }
        try (Connection connection = new SQLiteConfig().createConnection(url);
             var statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT count(*) FROM sqlite_master")) {
            rs.next();
        }
    }

    /** Opens (creating if needed) the store in {@code dataDir} with full durability. */
    public static SqliteMessageStore open(Path dataDir) {
        return open(SqliteOptions.of(dataDir));
    }

    /**
     * Opens the store with explicit options.
     *
     * @throws StoreUnavailableException when the file cannot be opened or migrated; its message is
     *                                   one line saying why (a damaged file, a directory that
     *                                   cannot be written, a full disk)
     */
    public static SqliteMessageStore open(SqliteOptions options) {
        try {
            return new SqliteMessageStore(options);
        } catch (StoreUnavailableException e) {
            throw e; // already says what is wrong (the directory is in use)
        } catch (SQLException | IOException | RuntimeException e) {
            throw new StoreUnavailableException(OpenFailure.describe(options.dataDir(), options.dataDir().resolve(FILE), e), e);
        }
    }

    private void loadQueues(StoredJson json) throws SQLException {
        try (PreparedStatement ps = writer.prepareStatement("SELECT name, policy, paused, created_at FROM queues");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                queues.put(rs.getString(1), new StoredQueue(rs.getString(1), json.readPolicy(rs.getString(2)),
                        rs.getInt(3) != 0, Instant.ofEpochMilli(rs.getLong(4))));
            }
        }
        writer.commit();
    }

    @Override
    public CompletableFuture<Boolean> upsertQueue(String name, QueuePolicy policy, Instant now) {
        return committer.submit(w -> w.upsertQueue(name, policy, now));
    }

    @Override
    public Optional<StoredQueue> queue(String name) {
        return Optional.ofNullable(queues.get(name));
    }

    @Override
    public List<StoredQueue> queues() {
        return queues.values().stream().sorted(Comparator.comparing(StoredQueue::name)).toList();
    }

    @Override
    public CompletableFuture<Void> setPaused(String name, boolean paused, Instant now) {
        return committer.submit(w -> w.setPaused(name, paused));
    }

    @Override
    public CompletableFuture<Void> deleteQueue(String name, boolean force) {
        return committer.submit(w -> w.deleteQueue(name, force));
    }

    @Override
    public Map<String, StateCounts> counts() {
        Map<String, StateCounts> result = new HashMap<>(counters.snapshot());
        queues.keySet().forEach(q -> result.putIfAbsent(q, StateCounts.EMPTY));
        result.keySet().retainAll(queues.keySet());
        return result;
    }

    @Override
    public TopicStore topics() {
        return topics;
    }

    @Override
    public CompletableFuture<List<SendOutcome>> send(SendBatch batch) {
        return committer.submit(w -> w.send(batch));
    }

    /** Always refuses: see the exception's message. */
    @Override
    public List<SendOutcome> sendInTransaction(Connection transaction, SendBatch batch) {
        throw new TransactionalSendUnsupportedException("the embedded SQLite store owns its database file and its "
                + "single writer (group commit), so it cannot join a transaction on another connection; use "
                + "PostgresMessageStore on the application's own PostgreSQL database for sends that commit with its writes");
    }

    @Override
    public CompletableFuture<List<ClaimedMessage>> claim(ClaimRequest request) {
        return committer.submitUncommitted(w -> w.claim(request));
    }

    @Override
    public CompletableFuture<Settlement> ack(Completion completion) {
        return committer.submit(w -> w.ack(completion));
    }

    @Override
    public CompletableFuture<Settlement> nack(Failure failure) {
        return committer.submit(w -> w.nack(failure));
    }

    @Override
    public CompletableFuture<Settlement> snooze(dev.postroom.store.Snooze snooze) {
        return committer.submit(w -> w.snooze(snooze));
    }

    @Override
    public CompletableFuture<Instant> extend(LeaseExtension extension) {
        return committer.submit(w -> w.extend(extension));
    }

    @Override
    public CompletableFuture<Void> progress(ProgressReport report) {
        return committer.submit(w -> w.progress(report));
    }

    @Override
    public CompletableFuture<Settlement> retry(MessageAction action) {
        return committer.submit(w -> w.retry(action));
    }

    @Override
    public CompletableFuture<Settlement> cancel(MessageAction action) {
        return committer.submit(w -> w.cancel(action));
    }

    @Override
    public CompletableFuture<Boolean> delete(String id, MessageState onlyIn) {
        return committer.submit(w -> w.delete(id, onlyIn));
    }

    @Override
    public CompletableFuture<Integer> redrive(String queue, Instant now, String node) {
        return committer.submit(w -> w.redrive(queue, now, node));
    }

    @Override
    public CompletableFuture<Integer> purge(String queue, Set<MessageState> states) {
        return committer.submit(w -> w.purge(queue, states));
    }

    @Override
    public CompletableFuture<Boolean> rewriteBodies(dev.postroom.store.BodyRewrite rewrite) {
        return committer.submit(w -> w.rewriteBodies(rewrite));
    }

    @Override
    public long countMatching(dev.postroom.ErasureFilter filter) {
        return dev.postroom.store.jdbc.ErasureSql.count(readers, dev.postroom.store.jdbc.Dialect.SQLITE, filter);
    }

    @Override
    public List<String> idsMatching(dev.postroom.ErasureFilter filter, int limit) {
        return dev.postroom.store.jdbc.ErasureSql.ids(readers, dev.postroom.store.jdbc.Dialect.SQLITE, filter, "id", "seq", limit);
    }

    @Override
    public Optional<Message> get(String id) {
        return reads.get(id);
    }

    @Override
    public MessagePage browse(MessageQuery query) {
        return browser.browse(query);
    }

    @Override
    public CompletableFuture<Integer> promoteDue(Instant now, String node) {
        return committer.submit(w -> w.promoteAll(now, node));
    }

    @Override
    public CompletableFuture<Integer> expireLeases(Instant now, RetryPlanner planner, String node) {
        return committer.submit(w -> w.expireLeases(now, planner, node));
    }

    @Override
    public CompletableFuture<Integer> expireTtl(Instant now, String node) {
        return committer.submit(w -> w.expireTtl(now, node));
    }

    @Override
    public CompletableFuture<Integer> purgeFinished(String queue, MessageState state, Instant before) {
        return committer.submit(w -> w.purgeFinished(queue, state, before));
    }

    @Override
    public CompletableFuture<Integer> archiveFinished(String queue, MessageState state, Instant before, Instant now) {
        return committer.submit(w -> w.archiveFinished(queue, state, before, now));
    }

    @Override
    public dev.postroom.store.ArchiveStore archive() {
        return archive;
    }

    /** True from a commit that failed with {@code SQLITE_FULL} until space is freed; see {@link GroupCommitter}. */
    @Override
    public boolean diskFull() {
        return fullDisk.isFull();
    }

    @Override
    public dev.postroom.store.BatchStore batches() {
        return batches;
    }

    @Override
    public dev.postroom.store.WorkflowStore workflows() {
        return workflows;
    }

    @Override
    public Optional<String> latestMessageId() {
        return reads.latestMessageId();
    }

    @Override
    public Optional<Instant> nextDue(String queue) {
        return reads.nextDue(queue);
    }

    @Override
    public Optional<Instant> oldestReady(String queue) {
        return reads.oldestReady(queue);
    }

    @Override
    public Optional<Instant> rateLimitedUntil(String queue) {
        return writes.rateLimitedUntil(queue);
    }

    @Override
    public ScheduleStore schedules() {
        return schedules;
    }

    /**
     * Copies {@code postroom.db} to {@code target} with SQLite's {@code VACUUM INTO}, on a reader
     * connection rather than the writer: in WAL mode a reader's statement runs in a read
     * transaction, a snapshot of the last commit, so the group committer keeps committing sends
     * and acks while the copy is written and none of them appears half in it. The only cost to
     * writers is that a checkpoint cannot pass the snapshot until the copy ends, so the WAL grows
     * for that long. The copy is compacted and has no WAL of its own. Leases live in memory and
     * are not copied: a message in flight now is READY in the copy.
     *
     * @throws StoreUnavailableException when {@code target} exists or the copy fails (a partial file is removed)
     */
    @Override
    public void backup(Path target) {
        if (closed) {
            throw new StoreUnavailableException("store is closed", null);
        }
        if (Files.exists(target)) {
            throw new StoreUnavailableException("cannot back up to " + target + ": the file exists", null);
        }
        try (Connection reader = readers.getConnection();
             PreparedStatement vacuum = reader.prepareStatement("VACUUM INTO ?")) {
            vacuum.setString(1, target.toAbsolutePath().toString());
            vacuum.execute();
        } catch (SQLException e) {
            try {
                Files.deleteIfExists(target);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw new StoreUnavailableException("backup of " + options.dataDir().resolve(FILE) + " to " + target + " failed: " + e.getMessage(), e);
        }
        log.info("sqlite store backed up file={} target={}", options.dataDir().resolve(FILE), target);
    }

    /** The single writer, so that tests in this package can hold it busy and see what one transaction does. */
    GroupCommitter committerForTesting() {
        return committer;
    }

    /**
     * Stops without committing queued work and without a clean shutdown, as a crash would; for
     * tests. Futures of uncommitted commands never complete.
     */
    public void crashForTesting() {
        closed = true;
        checkpointer.close();
        committer.abandon();
        closeConnections();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        committer.close();
        checkpointer.close();
        closeConnections();
        log.info("sqlite store closed file={}", options.dataDir().resolve(FILE));
    }

    private void closeConnections() {
        readers.close();
        try {
            writer.close();
        } catch (SQLException e) {
            log.warn("closing writer connection failed", e);
        }
        lock.close();
    }

    @Override
    public String toString() {
        return "SqliteMessageStore[" + options.dataDir().resolve(FILE) + ", durability=" + options.durability() + "]";
    }
}
