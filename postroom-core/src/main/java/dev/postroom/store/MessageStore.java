package dev.postroom.store;

import dev.postroom.Message;
import dev.postroom.MessagePage;
import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.QueuePolicy;
import dev.postroom.StateCounts;

import java.time.Instant;
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
     */
    CompletableFuture<Void> deleteQueue(String name, boolean force);

    /** Per-state counts of every queue (queues with no messages map to zeros). */
    Map<String, StateCounts> counts();

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
     * Leases up to {@code max} deliverable messages: highest priority first, then oldest; at most
     * one in flight per ordering key and only the oldest unfinished message of a key; none from a
     * paused queue; never more in flight than the queue's concurrency. Due SCHEDULED messages are
     * promoted first; messages past their TTL are never handed out.
     */
    CompletableFuture<List<ClaimedMessage>> claim(ClaimRequest request);

    /** Marks a leased message SUCCEEDED with its result. */
    CompletableFuture<Settlement> ack(Completion completion);

    /**
     * Fails a leased message's attempt: it is retried (SCHEDULED or READY) or, when the attempt
     * was its last, DEAD.
     */
    CompletableFuture<Settlement> nack(Failure failure);

    /** Extends a lease; completes with the new expiry. */
    CompletableFuture<Instant> extend(LeaseExtension extension);

    /** Records progress of a leased message. */
    CompletableFuture<Void> progress(ProgressReport report);

    /** DEAD, CANCELLED or SUCCEEDED → READY with a fresh set of attempts; other states: IllegalTransitionException. */
    CompletableFuture<Settlement> retry(MessageAction action);

    /** SCHEDULED, READY or IN_FLIGHT → CANCELLED; an in-flight lease becomes stale. */
    CompletableFuture<Settlement> cancel(MessageAction action);

    /** Deletes a message in any state; completes with false when there was none. */
    CompletableFuture<Boolean> delete(String id);

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

    // ---- maintenance (the engine calls these on a timer) ----

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

    /** The greatest message id stored, so that new ids sort after it after a restart. */
    Optional<String> latestMessageId();

    /** The earliest time a SCHEDULED message of the queue becomes due, if any. */
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

    /** Forgets the nodes whose last heartbeat is before {@code before}; completes with how many. */
    default CompletableFuture<Integer> forgetNodes(Instant before) {
        return CompletableFuture.completedFuture(0);
    }

    /** Flushes pending work and releases resources; idempotent. */
    @Override
    void close();
}
