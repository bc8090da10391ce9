package dev.postroom.store.postgres;

import dev.postroom.store.jdbc.Dialect;
import dev.postroom.store.jdbc.JdbcSchedules;
import dev.postroom.store.jdbc.JdbcTopics;
import dev.postroom.store.jdbc.StoreAccess;
import dev.postroom.Message;
import dev.postroom.MessagePage;
import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.PostroomException;
import dev.postroom.QueuePolicy;
import dev.postroom.StateCounts;
import dev.postroom.store.ClaimRequest;
import dev.postroom.store.ClaimedMessage;
import dev.postroom.store.Completion;
import dev.postroom.store.Failure;
import dev.postroom.store.LeaseExtension;
import dev.postroom.store.MessageAction;
import dev.postroom.store.MessageStore;
import dev.postroom.store.NewMessage;
import dev.postroom.store.NodeInfo;
import dev.postroom.store.ProgressReport;
import dev.postroom.store.QueueWatch;
import dev.postroom.store.RetryPlanner;
import dev.postroom.store.ScheduleStore;
import dev.postroom.store.SendBatch;
import dev.postroom.store.SendOutcome;
import dev.postroom.store.Settlement;
import dev.postroom.store.StoreUnavailableException;
import dev.postroom.store.StoredQueue;
import dev.postroom.store.TopicStore;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

import javax.sql.DataSource;

/**
 * The {@link MessageStore} for PostgreSQL: one database shared by every node of a cluster, which
 * coordinate only through it.
 * <pre>{@code
 * MessageStore store = PostgresMessageStore.open(
 *         PostgresOptions.of("jdbc:postgresql://db:5432/postroom", "postroom", password));
 * // or on an application's pool, which the store borrows from and never closes:
 * MessageStore store = PostgresMessageStore.open(dataSource, "postroom");
 * }</pre>
 * <ul>
 *   <li>Every operation is one transaction on a pooled connection (a HikariCP pool of the store's
 *       own, or the application's {@code DataSource}), run on a virtual thread; its future
 *       completes after the commit.</li>
 *   <li>Leases are in the rows: a claim is one {@code UPDATE ... FROM (SELECT ... FOR UPDATE SKIP
 *       LOCKED)} (see {@code MessageWrites.CLAIM}), so nodes never hand out the same message, the
 *       ordering-key and concurrency rules hold across nodes, and a lease outlives the node that
 *       took it until it expires and any node's maintenance fails the attempt.</li>
 *   <li>A send {@code NOTIFY}s its queue; {@link #watchQueues} hears every node's sends through
 *       {@link NotifyListener}.</li>
 *   <li>Maintenance that concerns the whole cluster (promotion, lease and TTL expiry, retention
 *       purges, forgetting dead nodes) runs on one node at a time, under a transaction-scoped
 *       advisory lock per task ({@link MaintenanceLock}); the other nodes skip that pass.</li>
 *   <li>{@link #sendInTransaction} writes through a caller's connection, in the caller's
 *       transaction (the transactional outbox): the message exists, and wakes consumers, only if
 *       that transaction commits.</li>
 *   <li>The schema is migrated by Flyway ({@code db/postgres}) when the store opens; nodes opening
 *       at once are serialised by Flyway's lock.</li>
 * </ul>
 */
public final class PostgresMessageStore implements MessageStore {
    private static final Set<MessageState> ALL_STATES = EnumSet.allOf(MessageState.class);
    private static final Logger log = LoggerFactory.getLogger(PostgresMessageStore.class);
    private final StoreConnections connections;
    private final DataSource pool;
    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("postroom-pg-", 0).factory());
    private final MessageWrites writes;
    private final MessageReads reads;
    private final MessageBrowser browser;
    private final NotifyListener listener;
    private final NodeRegistry nodes;
    private final GroupCommit groupCommit;
    /** One shared read per set of states asked for: at most 64 sets. */
    private final Map<Set<MessageState>, CoalescingRead<Map<String, StateCounts>>> countReads = new ConcurrentHashMap<>();
    private final JdbcTopics topics;
    private final dev.postroom.store.jdbc.JdbcArchive archive;
    private final JdbcSchedules schedules;
    private final PostgresBatchStore batches;
    private final PostgresWorkflowStore workflows;
    private volatile boolean closed;

    private PostgresMessageStore(StoreConnections connections) {
        this.connections = connections;
        this.pool = connections.pool();
        try {
            // A history of Postroom's own, starting at 0 beside tables that may already be there (an application's).
            var flyway = Flyway.configure().loggers("slf4j").dataSource(pool).locations("classpath:db/postgres")
                    .baselineOnMigrate(true).baselineVersion("0");
            if (connections.schema() != null) {
                flyway.schemas(connections.schema()).createSchemas(true);
            }
            flyway.table(MigrationHistory.table(pool, connections.schema()));
            Flyway loaded = flyway.load();
            refuseNewerSchema(loaded, connections.schema());
            loaded.migrate();
            PostgresJson json = new PostgresJson();
            String channel = channel(connections.schema());
            this.writes = new MessageWrites(json, channel, schemaOf(pool, connections.schema()));
            this.reads = new MessageReads(pool, json);
            this.browser = new MessageBrowser(pool);
            this.nodes = new NodeRegistry(pool);
            StoreAccess access = new StoreAccess() {
                @Override
                public <T> CompletableFuture<T> write(Write<T> work) {
                    return submit(work::apply);
                }

                @Override
                public Connection reader() throws SQLException {
                    return pool.getConnection();
                }
            };
            this.topics = new JdbcTopics(access, Dialect.POSTGRES, json);
            this.archive = new dev.postroom.store.jdbc.JdbcArchive(access, Dialect.POSTGRES, json);
            this.schedules = new JdbcSchedules(access, Dialect.POSTGRES, json, writes::send);
            this.listener = connections.listener(channel, () -> reads.queues().stream().map(StoredQueue::name).toList());
            this.batches = new PostgresBatchStore(this, pool, writes, json);
            this.workflows = new PostgresWorkflowStore(this, pool, writes, json);
            this.groupCommit = new GroupCommit(pool, new GroupedWrites(json, channel), committers(connections.poolSize()),
                    batch -> submit(c -> writes.send(c, batch)), completion -> submit(c -> writes.ack(c, completion))).start();
        } catch (RuntimeException e) {
            connections.close();
            throw e;
        }
        log.info("postgres store open {}", connections.description());
    }

    /**
     * Refuses a schema that a newer Postroom migrated: its tables may hold what this binary would
     * misread or overwrite. Flyway itself ignores such "future" migrations by default.
     */
    private static void refuseNewerSchema(Flyway flyway, String schema) {
        List<MigrationInfo> future = Arrays.stream(flyway.info().all())
                .filter(m -> m.getState() == MigrationState.FUTURE_SUCCESS || m.getState() == MigrationState.FUTURE_FAILED)
                .toList();
        if (!future.isEmpty()) {
            MigrationInfo first = future.getFirst();
            throw new IllegalStateException("schema " + (schema == null ? "(default)" : schema)
                    + " was migrated by a newer Postroom: migration " + first.getVersion() + " (" + first.getDescription()
                    + ") is unknown to this version, which knows migrations up to " + latestKnown(flyway)
                    + "; upgrade this node");
        }
    }

    private static String latestKnown(Flyway flyway) {
        return Arrays.stream(flyway.info().all())
                .filter(m -> m.getState() != MigrationState.FUTURE_SUCCESS && m.getState() != MigrationState.FUTURE_FAILED)
                .map(m -> String.valueOf(m.getVersion()))
                .reduce((a, b) -> b).orElse("none");
    }

    /**
     * The notification channel of a schema: one per schema, so that stores in other schemas of the
     * database do not wake this one. Channel names are identifiers, at most 63 bytes.
     */
    static String channel(String schema) {
        String channel = "postroom:" + (schema == null ? "" : schema);
        return channel.length() <= 63 ? channel
                : "postroom:" + schema.substring(0, 40) + ":" + Integer.toHexString(schema.hashCode());
    }

    /**
     * The store's schema as an SQL identifier: the configured one, or the one the tables were
     * created in (the first schema of the user's search path) when none was configured.
     */
    private static String schemaOf(DataSource pool, String schema) {
        if (schema != null) {
            return schema; // a lower-case identifier: PostgresOptions.checkSchema checked it
        }
        try (Connection c = pool.getConnection(); Statement statement = c.createStatement();
             ResultSet rs = statement.executeQuery("SELECT quote_ident(current_schema())")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new StoreUnavailableException("cannot read the current schema: " + e.getMessage(), e);
        }
    }

    /**
     * Committer threads of the group commit: enough that one group is written while the previous
     * one waits for its WAL flush, leaving most of the pool to claims and everything else.
     */
    static int committers(int poolSize) {
        return Math.max(1, Math.min(4, poolSize / 3));
    }

    /**
     * Opens the store, creating or migrating its schema.
     *
     * @throws StoreUnavailableException when the database cannot be reached or migrated
     */
    public static PostgresMessageStore open(PostgresOptions options) {
        return open(() -> StoreConnections.ownPool(options), options.toString());
    }

    /**
     * Opens the store on an application's {@code DataSource}, creating or migrating its schema
     * there: no pool of its own. The store borrows a connection for each transaction and read, as
     * the application does, and holds one for as long as it is open, for {@code LISTEN} (wake-ups
     * on other nodes' sends; taken again from the {@code DataSource} when it fails). {@link #close()}
     * gives back what it holds and leaves the {@code DataSource} open: it is the application's.
     * <pre>{@code
     * MessageStore store = PostgresMessageStore.open(dataSource, "postroom");
     * }</pre>
     * With a {@code schema}, each connection the store borrows has its search path set to it and put
     * back before it returns to the pool (two short statements per borrow); with null the store uses
     * the connections' own search path, and its tables are in the first schema of that path. Size
     * the pool for the application and Postroom together; with HikariCP the store reads the pool's
     * size to size its group commit. For the fastest sends add {@code reWriteBatchedInserts=true}
     * to the {@code DataSource}'s URL (a store with its own pool sets it).
     *
     * @param dataSource a PostgreSQL {@code DataSource}, typically the application's pool
     * @param schema     the schema holding Postroom's tables, created if missing (a lower-case SQL
     *                   identifier); null for the connections' own search path. Nodes of one cluster
     *                   must name the same one
     * @throws IllegalArgumentException  when {@code schema} is not a lower-case SQL identifier
     * @throws StoreUnavailableException when the database cannot be reached, is not PostgreSQL, or
     *                                   cannot be migrated
     */
    public static PostgresMessageStore open(DataSource dataSource, String schema) {
        Objects.requireNonNull(dataSource, "dataSource");
        PostgresOptions.checkSchema(schema);
        return open(() -> StoreConnections.borrowed(dataSource, schema), "on DataSource " + dataSource + ", schema=" + schema);
    }

    private static PostgresMessageStore open(Supplier<StoreConnections> connections, String description) {
        try {
            return new PostgresMessageStore(connections.get());
        } catch (StoreUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new StoreUnavailableException("cannot open PostgreSQL store " + description + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ transactions

    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs {@code work} in one transaction on a virtual thread; the future completes after the commit. */
    <T> CompletableFuture<T> submit(Work<T> work) {
        if (closed) {
            return CompletableFuture.failedFuture(new StoreUnavailableException("store is closed", null));
        }
        try {
            return CompletableFuture.supplyAsync(() -> inTransaction(work), executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new StoreUnavailableException("store is closed", e));
        }
    }

    /**
     * Runs {@code work} in one transaction. When the session turns out to be gone before the commit
     * was sent (PostgreSQL restarted, failed over, or the network cut it), nothing was committed, and
     * the work runs again on another connection: the pool drops each dead connection it lent, and
     * lends a recently used one without checking it, so after a restart each of its connections may
     * be dead; {@code poolSize} retries get past them all. So an ack or a send right after a restart
     * does not fail on a dead pooled connection. A failure of the commit itself is never retried: it
     * may have committed.
     */
    private <T> T inTransaction(Work<T> work) {
        try {
            for (int retry = 0; ; retry++) {
                try {
                    return transaction(work);
                } catch (LostBeforeCommit lost) {
                    if (retry >= connections.poolSize()) {
                        throw lost.getCause();
                    }
                    if (retry == 0) {
                        log.warn("postgres session lost before the commit; running the transaction again on another connection error={}",
                                lost.getCause().toString());
                    }
                }
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("PostgreSQL transaction failed: " + e.getMessage(), e);
        } catch (PostroomException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new StoreUnavailableException("PostgreSQL transaction failed: " + e.getMessage(), e);
        }
    }

    private <T> T transaction(Work<T> work) throws SQLException, LostBeforeCommit {
        try (Connection c = pool.getConnection()) {
            T result;
            try {
                c.setAutoCommit(false); // the pool restores it when the connection is returned
                result = work.run(c);
            } catch (SQLException e) {
                rollbackQuietly(c, e);
                if (ConnectionLoss.is(e)) {
                    throw new LostBeforeCommit(e);
                }
                throw e;
            } catch (RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            }
            try {
                c.commit();
            } catch (SQLException e) {
                rollbackQuietly(c, e);
                throw e;
            }
            return result;
        }
    }

    /** The session ended before the transaction's commit was sent: nothing of it was committed. */
    private static final class LostBeforeCommit extends Exception {
        LostBeforeCommit(SQLException cause) {
            super(cause);
        }

        @Override
        public synchronized SQLException getCause() {
            return (SQLException) super.getCause();
        }
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    // ------------------------------------------------------------------ queues

    @Override
    public CompletableFuture<Boolean> upsertQueue(String name, QueuePolicy policy, Instant now) {
        return submit(c -> writes.upsertQueue(c, name, policy, now));
    }

    @Override
    public Optional<StoredQueue> queue(String name) {
        return reads.queue(name);
    }

    @Override
    public List<StoredQueue> queues() {
        return reads.queues();
    }

    @Override
    public CompletableFuture<Void> setPaused(String name, boolean paused, Instant now) {
        return submit(c -> writes.setPaused(c, name, paused));
    }

    @Override
    public CompletableFuture<Void> deleteQueue(String name, boolean force) {
        return submit(c -> writes.deleteQueue(c, name, force));
    }

    @Override
    public Map<String, StateCounts> counts() {
        return counts(ALL_STATES);
    }

    /**
     * Exact (see {@code MessageReads.counts}); concurrent callers asking for the same states share
     * reads ({@link CoalescingRead}), so a console, an event stream and metrics scrapes polling
     * together cost about one count, never one each.
     */
    @Override
    public Map<String, StateCounts> counts(Set<MessageState> states) {
        Set<MessageState> key = states.isEmpty() ? EnumSet.noneOf(MessageState.class) : EnumSet.copyOf(states);
        return countReads.computeIfAbsent(key, k -> new CoalescingRead<>(() -> reads.counts(k))).get();
    }

    // ------------------------------------------------------------------ topics

    @Override
    public TopicStore topics() {
        return topics;
    }

    // ------------------------------------------------------------------ messages

    @Override
    public CompletableFuture<List<SendOutcome>> send(SendBatch batch) {
        if (batch.messages().stream().noneMatch(NewMessage::looksUpKeys)) {
            return closed ? CompletableFuture.failedFuture(new StoreUnavailableException("store is closed", null)) : groupCommit.send(batch);
        }
        return submit(c -> TransactionalSend.send(writes, c, batch));
    }

    /**
     * Writes through the caller's connection, in its open transaction (see {@link TransactionalSend}).
     * The connection must reach this store's database; the tables are named with the store's schema.
     */
    @Override
    public List<SendOutcome> sendInTransaction(Connection transaction, SendBatch batch) {
        if (closed) {
            throw new StoreUnavailableException("store is closed", null);
        }
        return TransactionalSend.inCallerTransaction(writes, transaction, batch);
    }

    @Override
    public CompletableFuture<List<ClaimedMessage>> claim(ClaimRequest request) {
        return submit(c -> writes.claim(c, request));
    }

    @Override
    public CompletableFuture<Settlement> ack(Completion completion) {
        return closed ? CompletableFuture.failedFuture(new StoreUnavailableException("store is closed", null)) : groupCommit.ack(completion);
    }

    @Override
    public CompletableFuture<Settlement> nack(Failure failure) {
        return submit(c -> writes.nack(c, failure));
    }

    @Override
    public boolean runsInTransaction() {
        return true;
    }

    /** Half the pool: the other half stays free for claims, acks, sends and maintenance while handlers run. */
    @Override
    public int maxConcurrentTransactions() {
        return Math.max(1, connections.poolSize() / 2);
    }

    /**
     * On a pool connection (its search path the store's schema), in one transaction: commits what
     * {@code work} wrote, or rolls it all back when it throws. Not retried on a lost session: the
     * work is the application's, and only it knows whether running it again is right; the message
     * comes back when its lease ends.
     */
    @Override
    public <R> R inTransaction(dev.postroom.store.TransactionWork<R> work) throws Exception {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false); // the pool restores it when the connection is returned
            R result;
            try {
                result = work.run(c);
            } catch (Exception e) {
                rollbackQuietly(c, e);
                throw e;
            } catch (Error e) {
                rollbackQuietly(c, new RuntimeException(e));
                throw e;
            }
            try {
                c.commit();
            } catch (SQLException e) {
                rollbackQuietly(c, e);
                throw new StoreUnavailableException("PostgreSQL commit failed: " + e.getMessage(), e);
            }
            return result;
        } catch (SQLException e) {
            throw new StoreUnavailableException("PostgreSQL transaction failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void ackInTransaction(Connection transaction, Completion completion) {
        try {
            writes.ack(transaction, completion);
        } catch (SQLException e) {
            throw new StoreUnavailableException("ack failed: " + e.getMessage(), e);
        }
    }

    @Override
    public CompletableFuture<Settlement> snooze(dev.postroom.store.Snooze snooze) {
        return submit(c -> writes.snooze(c, snooze));
    }

    @Override
    public CompletableFuture<Instant> extend(LeaseExtension extension) {
        return submit(c -> writes.extend(c, extension));
    }

    @Override
    public CompletableFuture<Void> progress(ProgressReport report) {
        return submit(c -> writes.progress(c, report));
    }

    @Override
    public CompletableFuture<Settlement> retry(MessageAction action) {
        return submit(c -> writes.retry(c, action));
    }

    @Override
    public CompletableFuture<Settlement> cancel(MessageAction action) {
        return submit(c -> writes.cancel(c, action));
    }

    @Override
    public CompletableFuture<Boolean> delete(String id, MessageState onlyIn) {
        return submit(c -> writes.delete(c, id, onlyIn));
    }

    @Override
    public CompletableFuture<Integer> redrive(String queue, Instant now, String node) {
        return submit(c -> writes.redrive(c, queue, now, node));
    }

    @Override
    public CompletableFuture<Integer> purge(String queue, Set<MessageState> states) {
        return submit(c -> writes.purge(c, queue, states));
    }

    @Override
    public CompletableFuture<Boolean> rewriteBodies(dev.postroom.store.BodyRewrite rewrite) {
        return submit(c -> writes.rewriteBodies(c, rewrite));
    }

    @Override
    public long countMatching(dev.postroom.ErasureFilter filter) {
        return dev.postroom.store.jdbc.ErasureSql.count(pool, dev.postroom.store.jdbc.Dialect.POSTGRES, filter);
    }

    @Override
    public List<String> idsMatching(dev.postroom.ErasureFilter filter, int limit) {
        return dev.postroom.store.jdbc.ErasureSql.ids(pool, dev.postroom.store.jdbc.Dialect.POSTGRES, filter, "id::text", "id", limit);
    }

    @Override
    public Optional<Message> get(String id) {
        return reads.get(id);
    }

    @Override
    public MessagePage browse(MessageQuery query) {
        return browser.browse(query);
    }

    // ------------------------------------------------------------------ maintenance
    // Cluster-wide tasks: each runs on one node at a time, under its MaintenanceLock; a node that
    // finds the lock taken skips the pass and reports 0.

    @Override
    public CompletableFuture<Integer> promoteDue(Instant now, String node) {
        return submit(c -> MaintenanceLock.PROMOTE_DUE.tryLock(c) ? writes.promoteAll(c, now, node) : 0);
    }

    @Override
    public CompletableFuture<Integer> expireLeases(Instant now, RetryPlanner planner, String node) {
        return submit(c -> MaintenanceLock.EXPIRE_LEASES.tryLock(c) ? writes.expireLeases(c, now, planner, node) : 0);
    }

    @Override
    public CompletableFuture<Integer> expireTtl(Instant now, String node) {
        return submit(c -> MaintenanceLock.EXPIRE_TTL.tryLock(c) ? writes.expireTtl(c, now, node) : 0);
    }

    @Override
    public CompletableFuture<Integer> purgeFinished(String queue, MessageState state, Instant before) {
        return submit(c -> MaintenanceLock.PURGE_FINISHED.tryLock(c) ? writes.purgeFinished(c, queue, state, before) : 0);
    }

    @Override
    public CompletableFuture<Integer> archiveFinished(String queue, MessageState state, Instant before, Instant now) {
        return submit(c -> MaintenanceLock.PURGE_FINISHED.tryLock(c) ? writes.archiveFinished(c, queue, state, before, now) : 0);
    }

    @Override
    public dev.postroom.store.ArchiveStore archive() {
        return archive;
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
    public Optional<Instant> rateLimitedUntil(String queue) {
        return writes.rateLimitedUntil(queue);
    }

    @Override
    public Optional<Instant> oldestReady(String queue) {
        return reads.oldestReady(queue);
    }

    // ------------------------------------------------------------------ batches

    @Override
    public dev.postroom.store.BatchStore batches() {
        return batches;
    }

    @Override
    public dev.postroom.store.WorkflowStore workflows() {
        return workflows;
    }

    // ------------------------------------------------------------------ node registry

    @Override
    public CompletableFuture<Void> heartbeat(NodeInfo node) {
        return submit(c -> nodes.heartbeat(c, node));
    }

    @Override
    public List<NodeInfo> nodes() {
        return nodes.nodes();
    }

    @Override
    public CompletableFuture<Void> leave(NodeInfo node) {
        return submit(c -> nodes.leave(c, node));
    }

    @Override
    public CompletableFuture<Integer> forgetNodes(Instant before) {
        return submit(c -> MaintenanceLock.FORGET_NODES.tryLock(c) ? nodes.forget(c, before) : 0);
    }

    @Override
    public ScheduleStore schedules() {
        return schedules;
    }

    @Override
    public QueueWatch watchQueues(Consumer<String> changed) {
        Runnable remove = listener.add(changed);
        return remove::run;
    }

    /** Drops the notification listener's connection, as a network failure would; for tests. */
    void dropListenerConnectionForTesting() throws SQLException {
        listener.dropConnectionForTesting();
    }

    /**
     * Stops as a crash would: running transactions are cut off (PostgreSQL rolls them back), their
     * futures never complete, nothing is closed cleanly. Leases held stay in the rows until they
     * expire. For tests.
     */
    public void crashForTesting() {
        closed = true;
        groupCommit.crash();
        executor.shutdownNow();
        listener.close();
        connections.close();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        groupCommit.close(); // commits what is waiting, which may redo requests alone on the executor
        closed = true;
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("postgres store closing with operations still running after 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        listener.close();
        connections.close();
        log.info("postgres store closed {}", connections.description());
    }

    /**
     * Always refuses: back up the database with PostgreSQL's own tools, {@code pg_dump} of the
     * schema (Postroom's tables together with its {@code auth_*} tables and {@code audit_log}) or
     * continuous archiving with point-in-time recovery; see docs/backups.md.
     */
    @Override
    public void backup(java.nio.file.Path target) {
        throw new dev.postroom.BackupUnsupportedException("the PostgreSQL store keeps its data in the database server; "
                + "use pg_dump (or continuous archiving and point-in-time recovery) on its schema, "
                + "Postroom's tables together with auth_* and audit_log");
    }

    @Override
    public String toString() {
        return "PostgresMessageStore[" + connections.description() + "]";
    }
}
