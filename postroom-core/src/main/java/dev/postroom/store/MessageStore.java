package dev.postroom.store;

import dev.postroom.Message;
import dev.postroom.MessagePage;
import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.QueuePolicy;
import dev.postroom.StateCounts;
import dev.postroom.TransactionalSendUnsupportedException;

import java.sql.Connection;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Durable storage of queues and messages. Implementations must be thread-safe.
 *
 * <p>Every mutating operation returns a future that completes only once its effect is durable
 * (committed), or exceptionally with a {@link dev.postroom.PostroomException} subtype: {@code
 * QueueNotFoundException}, {@code MessageNotFoundException}, {@code StaleLeaseException}, {@code
 * IllegalTransitionException} or {@link StoreUnavailableException}. A failed operation changes
 * nothing. Every request carries {@code now}: stores never read a clock. Every transition appends
 * a timeline entry.
 */
public interface MessageStore extends AutoCloseable {

    // ---- queues ----

    /** Creates the queue or replaces its policy. Completes with true when it was created. */
    CompletableFuture<Boolean> upsertQueue(String name, QueuePolicy policy, Instant now);

    /** The queue, if it exists. */
    Optional<StoredQueue> queue(String name);

    /** Every queue, by name. */
    List<StoredQueue> queues();

    /** Pauses or resumes claiming from a queue (sends are still accepted). */
    CompletableFuture<Void> setPaused(String name, boolean paused, Instant now);

    /**
     * Deletes a queue. Without {@code force} it must hold no message in a non-final state, else
     * {@link dev.postroom.QueueNotEmptyException}; with {@code force} its messages are deleted too.
     * Its archive goes with it, in the same transaction.
     */
    CompletableFuture<Void> deleteQueue(String name, boolean force);

    /** Per-state counts of every queue (queues with no messages map to zeros). */
    Map<String, StateCounts> counts();

    /**
     * Per-state counts of every queue as {@link #counts()}, exact, but counting only {@code states}:
     * the other states read 0. For callers that need only some states, such as metrics gauges that
     * need no SUCCEEDED count, which is most of the retained rows: a store may answer this from
     * smaller indexes. The default counts everything and zeroes the rest.
     */
    default Map<String, StateCounts> counts(Set<MessageState> states) {
        Map<String, StateCounts> only = new HashMap<>();
        counts().forEach((queue, n) -> only.put(queue, new StateCounts(
                states.contains(MessageState.SCHEDULED) ? n.scheduled() : 0,
                states.contains(MessageState.READY) ? n.ready() : 0,
                states.contains(MessageState.IN_FLIGHT) ? n.inFlight() : 0,
                states.contains(MessageState.SUCCEEDED) ? n.succeeded() : 0,
                states.contains(MessageState.DEAD) ? n.dead() : 0,
                states.contains(MessageState.CANCELLED) ? n.cancelled() : 0)));
        return only;
    }

    // ---- topics ----

    /** Topics and their subscriptions; publishing stores its copies with {@link #send}. */
    TopicStore topics();

    // ---- messages ----

    /**
     * Stores a batch atomically: all messages or none. A message whose idempotency key matches a
     * retained message of the same queue (or an earlier one of this batch) is not stored; its
     * outcome names the first message with {@code duplicate=true}.
     */
    CompletableFuture<List<SendOutcome>> send(SendBatch batch);

    /**
     * Stores a batch as {@link #send(SendBatch)} does, but through the caller's connection and inside
     * the caller's open transaction: the messages become visible, and other nodes' idle consumers are
     * woken, only if and when the caller commits; a rollback leaves no trace. The store never
     * commits, never rolls back the caller's work and never changes the connection's autocommit; it
     * may use a savepoint of its own. Synchronous: it returns once the rows are written, and the
     * caller's commit is the durability boundary. Idempotency keys are looked up as in a send, so a
     * key sent in an earlier committed transaction (or earlier in this one) yields the first message.
     *
     * <p>The default, for a store that keeps its messages elsewhere than the caller's database,
     * throws {@link dev.postroom.TransactionalSendUnsupportedException} and writes nothing.
     *
     * @throws dev.postroom.TransactionalSendUnsupportedException when the store cannot join the transaction
     * @throws dev.postroom.TransactionRequiredException          when {@code transaction} is in autocommit mode
     * @throws dev.postroom.QueueNotFoundException                when a queue does not exist in the transaction's view
     * @throws StoreUnavailableException                          when a statement fails; the caller should roll back
     */
    default List<SendOutcome> sendInTransaction(Connection transaction, SendBatch batch) {
        throw new TransactionalSendUnsupportedException(this + " keeps its messages outside the caller's database");
    }

    /**
     * How many {@link #inTransaction} calls may run at once without starving the store's own work:
     * each holds a connection for as long as its handler runs. Unbounded by default.
     */
    default int maxConcurrentTransactions() {
        return Integer.MAX_VALUE;
    }

    /** Whether {@link #inTransaction} and {@link #ackInTransaction} work on this store; false by default. */
    default boolean runsInTransaction() {
        return false;
    }

    /**
     * Runs {@code work} in one transaction on a connection of the store's own database and commits
     * it; rolls back and rethrows what {@code work} throws. With {@link #ackInTransaction} inside
     * {@code work}, a handler's own writes and its message's ack commit together or not at all
     * ({@link dev.postroom.Postroom#handleInTransaction}). Runs on the caller's thread.
     *
     * <p>The default, for a store whose messages do not live in a database the application writes
     * to, throws {@link dev.postroom.TransactionalHandlerUnsupportedException} and runs nothing.
     *
     * @throws StoreUnavailableException when the connection or the commit fails
     */
    default <R> R inTransaction(TransactionWork<R> work) throws Exception {
        throw new dev.postroom.TransactionalHandlerUnsupportedException(this + " cannot run a handler in its own transaction");
    }

    /**
     * Acks a leased message through {@code transaction} (from {@link #inTransaction}), as
     * {@link #ack} does, without committing: it is durable when that transaction commits.
     *
     * @throws dev.postroom.StaleLeaseException when the lease is not current; the caller must roll back
     */
    default void ackInTransaction(Connection transaction, Completion completion) {
        throw new dev.postroom.TransactionalHandlerUnsupportedException(this + " cannot ack in a caller's transaction");
    }

    /**
     * Leases up to {@code max} deliverable messages: highest priority first, then oldest; at most
     * one in flight per ordering key and only the oldest unfinished message of a key; none from a
     * paused queue; never more in flight than the queue's concurrency. Due SCHEDULED messages are
     * promoted first; messages past their TTL are never handed out.
     *
     * <p>The queue's limits hold across every process that shares the store: its concurrency, its
     * {@link dev.postroom.QueuePolicy#rateLimit rate limit} ({@link RateWindow}) and its {@link
     * dev.postroom.QueuePolicy#perKey per-key limits}; with per-key limits messages are picked
     * round-robin across keys ({@link KeyRoundRobin}), priority and age ordering them within a key.
     * A message held back by a limit stays READY, its attempt not counted.
     */
    CompletableFuture<List<ClaimedMessage>> claim(ClaimRequest request);

    /** Marks a leased message SUCCEEDED with its result. */
    CompletableFuture<Settlement> ack(Completion completion);

    /**
     * Fails a leased message's attempt: it is retried (SCHEDULED or READY) or, when the attempt
     * was its last, DEAD.
     */
    CompletableFuture<Settlement> nack(Failure failure);

    /**
     * Puts a leased message back without spending its attempt: SCHEDULED until {@code now + delay}
     * (READY at once for no delay), its attempt count back to what it was before the lease, its
     * snooze count one higher, a timeline entry saying so; or, when it was already snoozed as
     * often as its queue allows, DEAD ({@link Transition#snoozed}). Stale or foreign lease:
     * {@code StaleLeaseException}.
     */
    CompletableFuture<Settlement> snooze(Snooze snooze);

    /** Extends a lease; completes with the new expiry. */
    CompletableFuture<Instant> extend(LeaseExtension extension);

    /** Records progress of a leased message. */
    CompletableFuture<Void> progress(ProgressReport report);

    /** DEAD, CANCELLED or SUCCEEDED → READY with a fresh set of attempts; other states: IllegalTransitionException. */
    CompletableFuture<Settlement> retry(MessageAction action);

    /** SCHEDULED, READY or IN_FLIGHT → CANCELLED; an in-flight lease becomes stale. */
    CompletableFuture<Settlement> cancel(MessageAction action);

    /**
     * Deletes a message; completes with false when there was none. With {@code onlyIn} (not null)
     * the message is deleted only while it is in that state, checked and deleted in one step, so
     * that a message another hand moved meanwhile (a redrive, a retry) is left alone.
     */
    CompletableFuture<Boolean> delete(String id, MessageState onlyIn);

    /** Every DEAD message of the queue → READY; completes with how many. */
    CompletableFuture<Integer> redrive(String queue, Instant now, String node);

    /** Deletes the queue's messages in the given states; completes with how many. */
    CompletableFuture<Integer> purge(String queue, Set<MessageState> states);

    /** The message with its timeline and errors, if it exists. */
    Optional<Message> get(String id);

    /**
     * One page of the messages matching every non-null filter of {@code query}, newest first
     * (descending id), each in the state {@link #get} would report (a leased message is IN_FLIGHT,
     * and only leased messages are). A synchronous read: it never waits for writes to commit.
     *
     * <p>Paging is by key: {@code query.after()}, when set, is a {@link BrowseCursor}, and the page
     * holds only messages whose sequence is below the cursor's. {@code next} is a cursor at the last
     * row examined, or null when no older message can match. A page holds {@code limit} messages
     * unless it is the last; a store may end a page sooner (fewer messages, even none, with
     * {@code next} set) to bound the rows it examines for a filter no index answers, but only after
     * examining at least 1,000 rows, so small result sets always come back whole. {@code since} and
     * {@code until} may be compared with the time in the message id rather than {@code enqueuedAt};
     * the two differ only by how long the engine took to accept the send.
     *
     * <p>The engine validated the query ({@code limit} 1–500, names and lengths); the store decodes
     * the cursor and throws what {@link BrowseCursor#decode} throws. A queue that does not exist
     * matches nothing.
     */
    MessagePage browse(MessageQuery query);

    /**
     * Replaces a message's payload and result when both are still as expected; true if it did.
     * A message gone or changed meanwhile is left alone (false). Its state, lease and timeline are
     * untouched.
     */
    CompletableFuture<Boolean> rewriteBodies(BodyRewrite rewrite);

    /** How many stored messages, of any queue and state, match {@code filter} (validated). A read. */
    long countMatching(dev.postroom.ErasureFilter filter);

    /** Up to {@code limit} ids of stored messages matching {@code filter}, oldest first. A read. */
    List<String> idsMatching(dev.postroom.ErasureFilter filter, int limit);

    // ---- maintenance (the engine calls these on a timer) ----
    // A store that several nodes share may run each task on one node at a time: a node that finds
    // another running it skips the pass and completes with 0 (its next pass comes soon).

    /** SCHEDULED messages due at {@code now} → READY; completes with how many. */
    CompletableFuture<Integer> promoteDue(Instant now, String node);

    /**
     * Fails every IN_FLIGHT message whose lease ended before {@code now}, as a nack with the error
     * "lease expired" and the planner's delay; completes with how many.
     */
    CompletableFuture<Integer> expireLeases(Instant now, RetryPlanner planner, String node);

    /** SCHEDULED or READY messages past their TTL → DEAD (reason "expired"); completes with how many. */
    CompletableFuture<Integer> expireTtl(Instant now, String node);

    /** Deletes messages of {@code queue} in {@code state} that reached it before {@code before}. */
    CompletableFuture<Integer> purgeFinished(String queue, MessageState state, Instant before);

    /**
     * As {@link #purgeFinished}, but each row is moved to the {@linkplain #archive() archive},
     * stamped {@code now}, in the same transaction: a message is live or archived, never both or
     * neither.
     */
    CompletableFuture<Integer> archiveFinished(String queue, MessageState state, Instant before, Instant now);

    /** The archive of finished messages. */
    ArchiveStore archive();

    /** The greatest message id stored, so that new ids sort after it after a restart. */
    Optional<String> latestMessageId();

    /** The earliest time a SCHEDULED message of the queue becomes due, if any; held workflow steps ({@link WorkflowStore#HELD}) never do. */
    Optional<Instant> nextDue(String queue);

    /**
     * Since when the queue's longest-waiting deliverable message has been READY, or empty when no
     * message of the queue is READY. A message is READY since its {@code availableAt}: the send
     * for a message sent without delay, its due time for a delayed message or a retry after a
     * backoff, the time of the operator's retry or redrive otherwise. Leased (IN_FLIGHT) messages
     * do not count, nor do SCHEDULED ones, even past their due time, until promoted. A synchronous
     * read meant to be cheap enough for every metrics scrape: stores answer it from an index.
     */
    Optional<Instant> oldestReady(String queue);

    /**
     * When the queue's rate limits next let a message out, if the last claim of the queue in this
     * process stopped at a rate limit (the queue's, or a key's) with messages left waiting; empty
     * otherwise. Idle consumers sleep until then instead of polling. The default, for a store that
     * knows no rate limits, is empty.
     */
    default Optional<Instant> rateLimitedUntil(String queue) {
        return Optional.empty();
    }

    /**
     * Asks to be told when a queue may have work that this process did not make available itself:
     * a store shared by several processes reports sends, retries and freed ordering keys of the
     * others, so that their idle consumers wake at once instead of at their next poll. {@code
     * changed} receives the queue's name, on a thread of the store's; it must return quickly and
     * may be called spuriously. The default, for a store only one process uses, never calls it
     * (the engine signals its own changes itself).
     */
    default QueueWatch watchQueues(Consumer<String> changed) {
        return QueueWatch.NONE;
    }

    // ---- batches ----

    /** Batches: groups of messages sent together and tracked until every member ended. */
    BatchStore batches();

    // ---- workflows

    /** Workflows: steps sent together as messages, each released once the steps it follows succeeded. */
    WorkflowStore workflows();

    // ---- node registry (stores shared by several processes) ----

    /**
     * Records that {@code node} is alive at {@code node.heartbeatAt()}: inserts it, or replaces
     * what was recorded under its name. The engine calls it when it starts and then every few
     * seconds from its maintenance. The default, for a store only one process uses, records nothing.
     */
    default CompletableFuture<Void> heartbeat(NodeInfo node) {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Every node recorded by {@link #heartbeat}, by name, alive or not: the store does not judge,
     * since it never reads a clock. Empty by default: a store only one process uses has no registry,
     * and the engine then reports only itself.
     */
    default List<NodeInfo> nodes() {
        return List.of();
    }

    /**
     * Removes {@code node} from the registry as it stops cleanly, so that it is not listed (and
     * alerted on) as dead: only the row of that start of it ({@code node.startedAt()}), never one a
     * newer start under the same name wrote. The default, for a store without a registry, does nothing.
     */
    default CompletableFuture<Void> leave(NodeInfo node) {
        return CompletableFuture.completedFuture(null);
    }

    /** Forgets the nodes whose last heartbeat is before {@code before}; completes with how many. */
    default CompletableFuture<Integer> forgetNodes(Instant before) {
        return CompletableFuture.completedFuture(0);
    }

    // ---- health ----

    /**
     * Whether the store's disk is full now, as the store last found it: writes (sends, acks,
     * nacks, maintenance) fail with {@link dev.postroom.StoreFullException} without writing, while
     * reads, and claims where the store writes nothing for them, still work. A store leaves this
     * state by itself once space is freed. Cheap enough for every readiness probe and metrics scrape.
     * False by default, for a store that cannot tell (a database server reports a full disk as an
     * ordinary failure).
     */
    default boolean diskFull() {
        return false;
    }

    // ---- backups ----

    /**
     * Writes a consistent copy of everything this store keeps to {@code target}, a file that must
     * not exist yet, while the store keeps serving: the copy holds exactly the writes committed when
     * it began (every send whose future had completed by then) and none of the later ones. Writers
     * are not stopped. What the store keeps only in memory (the embedded store's leases) is not in
     * the copy, so a message in flight when it began is READY in the copy, as after a restart.
     *
     * <p>The default, for a store whose data lives in a database server with backup tools of its
     * own, throws {@link dev.postroom.BackupUnsupportedException} and writes nothing.
     *
     * @throws dev.postroom.BackupUnsupportedException when the store cannot copy itself to a file
     * @throws StoreUnavailableException                when the copy fails; a partial file is removed
     */
    default void backup(java.nio.file.Path target) {
        throw new dev.postroom.BackupUnsupportedException(this + " keeps its data in a database server; use its own backup tools");
    }

    // ---- schedules ----

    /** The schedules kept in this store; their runs' messages are stored in the same transactions as their advances. */
    ScheduleStore schedules();

    /** Flushes pending work and releases resources; idempotent. */
    @Override
    void close();
}
