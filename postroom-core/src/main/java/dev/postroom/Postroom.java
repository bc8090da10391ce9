package dev.postroom;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.engine.BatchCompleter;
import dev.postroom.engine.WorkflowAdvancer;
import dev.postroom.engine.Dispatcher;
import dev.postroom.engine.EngineContext;
import dev.postroom.engine.HandlerFailures;
import dev.postroom.engine.IdleWait;
import dev.postroom.engine.Maintenance;
import dev.postroom.engine.MessageFactory;
import dev.postroom.store.MessageIds;
import dev.postroom.engine.NodeHeartbeat;
import dev.postroom.engine.PendingReplies;
import dev.postroom.engine.JsonCodec;
import dev.postroom.engine.PolicyValidator;
import dev.postroom.engine.QueryValidator;
import dev.postroom.engine.QueueCatalog;
import dev.postroom.engine.QueueNames;
import dev.postroom.engine.QueueSignals;
import dev.postroom.engine.RetrySchedule;
import dev.postroom.engine.RunningDeliveries;
import dev.postroom.engine.Sealing;
import dev.postroom.engine.EncryptionCheck;
import dev.postroom.engine.ScheduleRunner;
import dev.postroom.engine.Tracing;
import dev.postroom.store.ClaimRequest;
import dev.postroom.store.ClaimedMessage;
import dev.postroom.store.Completion;
import dev.postroom.store.Failure;
import dev.postroom.store.LeaseExtension;
import dev.postroom.store.MessageAction;
import dev.postroom.store.MessageStore;
import dev.postroom.store.NewMessage;
import dev.postroom.store.ProgressReport;
import dev.postroom.store.StoreUnavailableException;
import dev.postroom.store.QueueWatch;
import dev.postroom.store.SendBatch;
import dev.postroom.store.SendOutcome;
import dev.postroom.store.Settlement;
import dev.postroom.store.StoredQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Type;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Sends messages to queues and runs handlers for them. A send completes only once the message is
 * durable; delivery is at-least-once, so handlers must tolerate a repeat.
 * <pre>{@code
 * try (Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(dataDir)).build()) {
 *     postroom.createQueue("refunds", QueuePolicy.DEFAULT);
 *     postroom.handle("refunds", Refund.class, delivery -> refunds.issue(delivery.payload()));
 *     postroom.send("refunds", new Refund("order-42", 1999)).join();
 * }
 * }</pre>
 *
 * <p>Handlers run on virtual threads; a handler that returns acks its message (storing the return
 * value as the result), one that throws fails the attempt, which is retried with exponential
 * backoff and jitter until the queue's {@code maxAttempts}, after which the message is
 * {@link MessageState#DEAD} with every attempt's error kept. Pull consumers use {@link #receive}
 * and settle with {@link #ack}, {@link #nack} or {@link #extend}.
 *
 * <p>{@link #request} sends a message and completes with its handler's result, or fails with
 * {@link MessageFailedException} when the message dies or is cancelled. Sends carry the caller's
 * OpenTelemetry trace context (when the OpenTelemetry API is on the class path) in a W3C
 * {@code traceparent} header, and handlers run with it current.
 *
 * <p>Invalid input throws at once ({@link InvalidMessageException} naming the field,
 * {@link QueueNotFoundException}, {@link MessageTooLargeException}) and writes nothing; store
 * failures complete the returned future exceptionally. All methods are thread-safe.
 */
public final class Postroom implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Postroom.class);
    private static final Duration MAX_RECEIVE_WAIT = Duration.ofSeconds(20);

    private final MessageStore store;
    private final boolean ownsStore;
    private final InstantSource clock;
    private final String node;
    private final Limits limits;
    private final JsonCodec codec;
    private final MessageFactory factory;
    private final QueueSignals signals = new QueueSignals();
    private final QueueCatalog catalog;
    private final RetrySchedule retries;
    private final RunningDeliveries running = new RunningDeliveries();
    private final ExecutorService handlerExecutor = Executors.newVirtualThreadPerTaskExecutor();
    private final EngineContext engine;
    private final Maintenance maintenance;
    private final NodeHeartbeat heartbeat;
    private final ScheduledExecutorService timer;
    private final Map<String, Dispatcher<?>> dispatchers = new ConcurrentHashMap<>();
    private final Duration shutdownTimeout;
    private final MessageListener listener;
    private final PendingReplies replies;
    private final QueueWatch queueWatch;
    private final Topics topics;
    private final Schedules schedules;
    private final Batches batches;
    private final Workflows workflows;
    private final Erasures erasures;
    private final Archive archive;
    private final Replays replays;
    private final Sealing sealing;
    private volatile boolean closed;

    private Postroom(Builder builder) {
        this.store = Objects.requireNonNull(builder.store, "store");
        this.ownsStore = builder.closeStore;
        this.clock = builder.clock;
        this.node = builder.node;
        this.limits = builder.limits;
        this.shutdownTimeout = builder.shutdownTimeout;
        this.codec = new JsonCodec(builder.codec != null ? builder.codec : PayloadCodec.jackson(builder.mapper), builder.mapper);
        this.sealing = new Sealing(builder.encryptionKeys);
        this.replies = new PendingReplies(store, codec, builder.maxPendingRequests, sealing);
        MessageListener user = builder.listener;
        // Replies hear final states first: the user's listener must not throw, but if it does, no waiter misses out.
        this.listener = user == MessageListener.NONE ? replies : MessageListener.both(replies, user);
        Tracing tracing = Tracing.detect();
        MessageIds ids = new MessageIds(clock);
        store.latestMessageId().ifPresent(ids::advancePast);
        this.factory = new MessageFactory(limits, codec, ids, tracing, builder.carrySenderMdc, sealing);
        this.catalog = new QueueCatalog(store);
        EncryptionCheck.atStart(store, catalog, sealing);
        this.retries = new RetrySchedule(catalog, builder.random);
        this.engine = new EngineContext(store, clock, node, signals, catalog, codec, retries,
                new HandlerFailures(builder.nonRetryable), running, handlerExecutor, listener, tracing,
                limits, factory, sealing, ids, this::checkOpen);
        this.heartbeat = new NodeHeartbeat(store, node, clock.instant());
        // Registered before the first send, so other nodes list this one from the start.
        heartbeat.beat(clock.instant(), true);
        ScheduleRunner scheduleRunner = new ScheduleRunner(store, catalog, factory, signals, listener, node);
        this.schedules = new Schedules(engine, scheduleRunner);
        WorkflowAdvancer advancer = new WorkflowAdvancer(engine);
        this.maintenance = new Maintenance(engine, heartbeat, scheduleRunner, new BatchCompleter(engine, factory), advancer);
        this.batches = new Batches(engine);
        this.workflows = new Workflows(engine, advancer);
        this.erasures = new Erasures(engine);
        this.archive = new Archive(engine);
        this.replays = new Replays(this, engine);
        // Other nodes' sends and freed keys, on a shared store: wake this node's idle consumers.
        this.queueWatch = store.watchQueues(signals::changed);
        this.topics = new Topics(engine);
        if (builder.maintenanceInterval != null) {
            timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("postroom-maintenance").factory());
            long every = builder.maintenanceInterval.toMillis();
            timer.scheduleWithFixedDelay(this::maintainQuietly, every, every, TimeUnit.MILLISECONDS);
        } else {
            timer = null;
        }
        log.info("postroom started node={} store={} limits={} tracing={} maxPendingRequests={}",
                node, store, limits, tracing, builder.maxPendingRequests);
    }

    /** A builder; {@link Builder#store} is required. */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- queues

    /**
     * Creates a queue, or replaces the policy of an existing one.
     *
     * @return true when the queue was created, false when its policy was updated
     * @throws InvalidMessageException for a bad name or policy (the field is named)
     */
    public boolean createQueue(String name, QueuePolicy policy) {
        checkOpen();
        QueueNames.require("queue", name);
        PolicyValidator.validate(policy);
        if (policy.encrypted() && !sealing.hasKeys()) {
            throw new InvalidMessageException("encrypted", "needs an encryption key, and none is configured");
        }
        boolean created = Futures.join(store.upsertQueue(name, policy, clock.instant()));
        catalog.invalidate(name);
        return created;
    }

    /** Creates a queue with {@link QueuePolicy#DEFAULT} if it does not exist yet. */
    public void createQueue(String name) {
        checkOpen();
        QueueNames.require("queue", name);
        if (catalog.find(name).isEmpty()) {
            createQueue(name, QueuePolicy.DEFAULT);
        }
    }

    /** The queue with its counts and the age of its oldest READY message. */
    public QueueInfo queue(String name) {
        checkOpen();
        StoredQueue queue = store.queue(QueueNames.require("queue", name)).orElseThrow(() -> new QueueNotFoundException(name));
        return info(queue, store.counts().getOrDefault(name, StateCounts.EMPTY));
    }

    /** Every queue with its counts and the age of its oldest READY message, by name. */
    public List<QueueInfo> queues() {
        Map<String, StateCounts> counts = store.counts();
        return store.queues().stream()
                .map(q -> info(q, counts.getOrDefault(q.name(), StateCounts.EMPTY)))
                .toList();
    }

    private QueueInfo info(StoredQueue queue, StateCounts counts) {
        // The counts cost nothing; the oldest READY message costs a read, spared when none is ready.
        Instant oldestReadyAt = counts.ready() == 0 ? null : store.oldestReady(queue.name()).orElse(null);
        return new QueueInfo(queue.name(), queue.policy(), queue.paused(), counts, oldestReadyAt);
    }

    /** Stops handing out messages of the queue; sends are still accepted. */
    public void pause(String queue) {
        setPaused(queue, true);
    }

    /** Resumes a paused queue. */
    public void resume(String queue) {
        setPaused(queue, false);
    }

    private void setPaused(String queue, boolean paused) {
        checkOpen();
        catalog.require(QueueNames.require("queue", queue));
        Futures.join(store.setPaused(queue, paused, clock.instant()));
        catalog.invalidate(queue);
        signals.changed(queue);
    }

    /**
     * Deletes a queue.
     *
     * @throws QueueNotEmptyException when it holds unfinished messages and {@code force} is false
     */
    public void deleteQueue(String queue, boolean force) {
        checkOpen();
        catalog.require(QueueNames.require("queue", queue));
        Futures.join(store.deleteQueue(queue, force));
        catalog.invalidate(queue);
    }

    /** Deletes the queue's messages in {@code states}; returns how many. */
    public int purge(String queue, Set<MessageState> states) {
        checkOpen();
        catalog.require(QueueNames.require("queue", queue));
        if (states.contains(MessageState.IN_FLIGHT)) {
            throw new InvalidMessageException("states", "IN_FLIGHT messages cannot be purged; cancel them instead");
        }
        return Futures.join(store.purge(queue, states));
    }

    /** Moves every DEAD message of the queue back to READY with fresh attempts; returns how many. */
    public int redrive(String queue) {
        checkOpen();
        catalog.require(QueueNames.require("queue", queue));
        int count = Futures.join(store.redrive(queue, clock.instant(), node));
        signals.changed(queue);
        return count;
    }

    /**
     * The payload fields {@code queue}'s policy marks as sensitive ({@link QueuePolicy#sensitiveFields}),
     * none for a queue that does not exist: from the queue catalog, so cheap enough for every page shown.
     */
    public List<String> sensitiveFields(String queue) {
        return catalog.sensitiveFields(queue);
    }

    /** The archive of finished messages of queues that keep one ({@link QueuePolicy#archive}); see {@link Archive}. */
    public Archive archive() {
        return archive;
    }

    /** Replays: send finished messages, live or archived, again; see {@link Replays}. */
    public Replays replays() {
        return replays;
    }

    /** Erasures: remove every message matching a filter ("forget customer 7"); see {@link Erasures}. */
    public Erasures erasures() {
        return erasures;
    }

    /** Workflows: steps that follow steps; see {@link Workflows}. */
    public Workflows workflows() {
        return workflows;
    }

    /** Cron schedules that send messages to queues; see {@link Schedules}. */
    public Schedules schedules() {
        return schedules;
    }

    // ---------------------------------------------------------------- sending

    /** Sends with default options. */
    public CompletableFuture<SendResult> send(String queue, Object payload) {
        return send(queue, payload, SendOptions.DEFAULTS);
    }

    /**
     * Sends one message. The future completes once the message is durable.
     *
     * @param payload any Jackson-serialisable object, or {@link RawJson}
     * @throws InvalidMessageException  for a bad option or payload, naming the field
     * @throws MessageTooLargeException when the JSON payload is over {@link Limits#maxPayloadBytes()}
     * @throws QueueNotFoundException   when the queue does not exist
     */
    public CompletableFuture<SendResult> send(String queue, Object payload, SendOptions options) {
        return sendBatch(queue, List.of(new OutgoingMessage(payload, options))).thenApply(results -> results.get(0));
    }

    /**
     * Sends messages atomically: all are stored, or (on any invalid entry) none. Field names in
     * errors are prefixed {@code messages[i].}.
     */
    public CompletableFuture<List<SendResult>> sendBatch(String queue, List<OutgoingMessage> messages) {
        return store.send(prepare(queue, messages)).thenApply(outcomes -> {
            signals.changed(queue);
            List<SendResult> results = new ArrayList<>(outcomes.size());
            for (SendOutcome outcome : outcomes) {
                results.add(new SendResult(outcome.id(), outcome.state(), outcome.duplicate(), outcome.debounced()));
                listener.sent(queue, outcome.id(), outcome.state(), outcome.duplicate());
            }
            return results;
        });
    }

    /**
     * Checks messages as {@link #sendBatch} does, without sending them: for a caller that sends
     * later (when its transaction commits, say) but must learn of a bad message now.
     *
     * @throws InvalidMessageException  for a bad option or payload, naming the field
     * @throws MessageTooLargeException when a payload or the batch is over its limit
     * @throws QueueNotFoundException   when the queue does not exist
     */
    public void validate(String queue, List<OutgoingMessage> messages) {
        prepare(queue, messages);
    }

    /** Validates a send and builds its batch; throws, having written nothing, on a bad input. */
    private SendBatch prepare(String queue, List<OutgoingMessage> messages) {
        checkOpen();
        QueueNames.require("queue", queue);
        if (messages.isEmpty()) {
            throw new InvalidMessageException("messages", "must not be empty");
        }
        if (messages.size() > limits.maxBatchSize()) {
            throw new MessageTooLargeException("messages", messages.size(), limits.maxBatchSize(), "messages");
        }
        StoredQueue target = catalog.require(queue);
        Instant now = clock.instant();
        List<NewMessage> batch = new ArrayList<>(messages.size());
        boolean single = messages.size() == 1;
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (int i = 0; i < messages.size(); i++) {
            OutgoingMessage message = messages.get(i);
            String prefix = single ? "" : "messages[" + i + "].";
            NewMessage created = factory.create(queue, target.policy(), message.payload(), message.options(), now, prefix);
            // One message per key and batch: a second would merge into, or be refused by, the first.
            if (created.uniqueKey() != null && !keys.add("u\u0000" + created.uniqueKey())) {
                throw new InvalidMessageException(prefix + "uniqueKey", "repeats a unique key of this batch");
            }
            if (created.debounceKey() != null && !keys.add("d\u0000" + created.debounceKey())) {
                throw new InvalidMessageException(prefix + "debounce.key", "repeats a debounce key of this batch");
            }
            batch.add(created);
        }
        return new SendBatch(batch, now, node);
    }

    // ---------------------------------------------------------------- transactional send (outbox)

    /** {@link #send(Connection, String, Object, SendOptions)} with default options. */
    public SendResult send(Connection transaction, String queue, Object payload) {
        return send(transaction, queue, payload, SendOptions.DEFAULTS);
    }

    /**
     * Sends one message inside the caller's open JDBC transaction (the transactional outbox): the
     * message is written through {@code transaction} and exists only if the caller commits, together
     * with the caller's own writes; after a rollback it was never sent. Once committed it is
     * delivered like any other, and idle consumers on every node wake at the commit.
     * <pre>{@code
     * try (Connection tx = dataSource.getConnection()) {
     *     tx.setAutoCommit(false);
     *     orders.markRefundRequested(tx, orderId);
     *     postroom.send(tx, "refunds", new Refund(orderId, 1999));
     *     tx.commit();
     * }
     * }</pre>
     *
     * <p>Synchronous: it returns once the message is written in the transaction; the caller's commit
     * makes it durable. Postroom never commits, rolls back or changes the connection's autocommit.
     * The connection must reach the store's database (PostgreSQL); the embedded SQLite store cannot
     * join another database's transaction. The input is validated as for {@link #send(String, Object,
     * SendOptions)}, before anything is written. Because this node cannot know whether the caller
     * commits, the send is not reported to the {@link MessageListener}.
     *
     * @param transaction a connection with autocommit off, to the store's database
     * @throws InvalidMessageException                for a bad option or payload, naming the field
     * @throws MessageTooLargeException               when the JSON payload is over {@link Limits#maxPayloadBytes()}
     * @throws QueueNotFoundException                 when the queue does not exist
     * @throws TransactionRequiredException           when {@code transaction} is in autocommit mode
     * @throws TransactionalSendUnsupportedException  when the store cannot join the transaction (SQLite)
     * @throws dev.postroom.store.StoreUnavailableException when a statement failed; roll the transaction back
     */
    public SendResult send(Connection transaction, String queue, Object payload, SendOptions options) {
        return sendBatch(transaction, queue, List.of(new OutgoingMessage(payload, options))).get(0);
    }

    /**
     * Sends messages inside the caller's open JDBC transaction, as {@link #send(Connection, String,
     * Object, SendOptions)}: all or (on any invalid entry) none are written, and they exist only if
     * the caller commits. Field names in errors are prefixed {@code messages[i].}.
     */
    public List<SendResult> sendBatch(Connection transaction, String queue, List<OutgoingMessage> messages) {
        Objects.requireNonNull(transaction, "transaction");
        SendBatch batch = prepare(queue, messages);
        // No local signal and no listener call: the rows are invisible until the caller commits,
        // and the store's NOTIFY wakes this node's consumers (and every other's) at that moment.
        return store.sendInTransaction(transaction, batch).stream()
                .map(outcome -> new SendResult(outcome.id(), outcome.state(), outcome.duplicate(), outcome.debounced()))
                .toList();
    }

    /** Topics: publish once, deliver a copy to every matching subscription's queue. */
    public Topics topics() {
        return topics;
    }

    /** Batches: messages sent together and followed as a whole, with an optional completion message. */
    public Batches batches() {
        return batches;
    }

    // ---------------------------------------------------------------- request-reply

    /** {@link #request(String, Object, SendOptions, Type)} with default options. */
    public <R> CompletableFuture<R> request(String queue, Object payload, Class<R> resultType) {
        return request(queue, payload, SendOptions.DEFAULTS, (Type) resultType);
    }

    /** {@link #request(String, Object, SendOptions, Type)} for a result class. */
    public <R> CompletableFuture<R> request(String queue, Object payload, SendOptions options, Class<R> resultType) {
        return request(queue, payload, options, (Type) resultType);
    }

    /** {@link #request(String, Object, SendOptions, Type)} for a generic result, e.g. {@code new TypeReference<List<Receipt>>() {}}. */
    public <R> CompletableFuture<R> request(String queue, Object payload, SendOptions options, TypeReference<R> resultType) {
        return request(queue, payload, options, resultType.getType());
    }

    /**
     * Sends a message and completes with its handler's result: the value the handler returned, read
     * back from the message's result JSON into {@code resultType} ({@code null} when it returned
     * null). The handler may run on any node; a reply made here is seen at once, one made elsewhere
     * within about a second.
     * <pre>{@code
     * Receipt receipt = postroom.request("refunds", new Refund("order-42", 1999), Receipt.class)
     *         .orTimeout(30, TimeUnit.SECONDS)
     *         .join();
     * }</pre>
     *
     * <p>The future completes exceptionally with
     * <ul>
     *   <li>{@link MessageFailedException} (id, state, last error) when the message is DEAD — attempts
     *       exhausted, or its TTL passed before delivery — or CANCELLED;</li>
     *   <li>{@link MessageNotFoundException} when the message is deleted before it finished;</li>
     *   <li>{@link InvalidMessageException} naming {@code result} when the result cannot be read as
     *       {@code resultType};</li>
     *   <li>the send's own exception when the store failed, and {@link IllegalStateException} when
     *       this Postroom is closed first.</li>
     * </ul>
     *
     * <p>There is no built-in timeout: a message may wait for retries for hours. Bound the wait with
     * {@link CompletableFuture#orTimeout} or {@link CompletableFuture#completeOnTimeout}. Cancelling
     * the future (or its timing out) only stops the waiting and frees its place; the message is still
     * handled, so cancel the message with {@link #cancel} (using {@link #send} and
     * {@link #awaitResult} to know its id) if its work is no longer wanted.
     *
     * <p>A repeat request with the same {@link SendOptions#idempotencyKey()} waits for the first
     * message, and completes at once if it has finished. Dependent stages run on a virtual thread,
     * not on the engine's threads.
     *
     * @param resultType the type results are read into (a class, or a parameterized type)
     * @throws InvalidMessageException  for a bad option or payload, naming the field (nothing is sent)
     * @throws MessageTooLargeException when the payload is over the limit
     * @throws QueueNotFoundException   when the queue does not exist
     * @throws PostroomException        when {@link Builder#maxPendingRequests} requests wait already (nothing is sent)
     */
    public <R> CompletableFuture<R> request(String queue, Object payload, SendOptions options, Type resultType) {
        Objects.requireNonNull(resultType, "resultType");
        checkOpen();
        PendingReplies.Waiter<R> waiter = replies.reserve(resultType);
        CompletableFuture<SendResult> sent;
        try {
            sent = send(queue, payload, options);
        } catch (RuntimeException e) {
            waiter.future().completeExceptionally(e);
            throw e;
        }
        sent.whenComplete((result, error) -> {
            if (error != null) {
                replies.fail(waiter, Futures.unwrap(error));
            } else {
                replies.attach(waiter, result.id());
            }
        });
        return waiter.future();
    }

    /** {@link #awaitResult(String, Type)} for a result class. */
    public <R> CompletableFuture<R> awaitResult(String id, Class<R> resultType) {
        return awaitResult(id, (Type) resultType);
    }

    /**
     * Waits for a message already sent (by this process, another node or over HTTP) to finish, and
     * completes as {@link #request} does: with its result read into {@code resultType}, or
     * exceptionally when it is DEAD, CANCELLED or deleted. A message already final completes the
     * future at once, for as long as its queue's retention keeps it.
     *
     * @throws PostroomException when {@link Builder#maxPendingRequests} requests wait already
     */
    public <R> CompletableFuture<R> awaitResult(String id, Type resultType) {
        Objects.requireNonNull(resultType, "resultType");
        checkOpen();
        if (!MessageIds.isValid(id)) {
            return CompletableFuture.failedFuture(new MessageNotFoundException(String.valueOf(id)));
        }
        PendingReplies.Waiter<R> waiter = replies.reserve(resultType);
        replies.attach(waiter, id);
        return waiter.future();
    }

    /** How many futures of {@link #request} and {@link #awaitResult} are waiting; for metrics and tests. */
    public int pendingRequests() {
        return replies.size();
    }

    // ---------------------------------------------------------------- handlers

    /**
     * Runs {@code handler} for every message of the queue, on virtual threads, with at most the
     * queue policy's {@code concurrency} at once on this node (the store caps the queue's messages
     * in flight across every node, and applies its rate and per-key limits). One handler per queue.
     *
     * @param payloadType the type payloads are decoded into (a class, or a parameterized type)
     * @throws IllegalStateException when the queue already has a handler
     */
    public <T> void handle(String queue, Type payloadType, Handler<T> handler) {
        checkOpen();
        StoredQueue target = catalog.require(QueueNames.require("queue", queue));
        Dispatcher<T> dispatcher = new Dispatcher<>(queue, payloadType, handler, target.policy().concurrency(), engine);
        if (dispatchers.putIfAbsent(queue, dispatcher) != null) {
            throw new IllegalStateException("queue " + queue + " already has a handler");
        }
        dispatcher.start();
    }

    /** Typed convenience for {@link #handle(String, Type, Handler)}. */
    public <T> void handle(String queue, Class<T> payloadType, Handler<T> handler) {
        handle(queue, (Type) payloadType, handler);
    }

    /**
     * Runs {@code handler} for the queue's messages inside the store's database transaction: what
     * it writes through the connection it is given commits together with the message's ack, or not
     * at all — exactly-once effects in the same database (see {@link TransactionalHandler}). A
     * handler that throws rolls its writes back and the attempt is retried as usual; a process
     * killed before the commit leaves nothing, and the message comes back when its lease ends.
     * <pre>{@code
     * postroom.handleInTransaction("refunds", Refund.class, (delivery, connection) -> {
     *     try (PreparedStatement insert = connection.prepareStatement("INSERT INTO app.refunds (order_id, cents) VALUES (?, ?)")) {
     *         insert.setString(1, delivery.payload().orderId());
     *         insert.setLong(2, delivery.payload().cents());
     *         insert.executeUpdate();
     *     }
     *     return null;
     * });
     * }</pre>
     *
     * <p>At most {@link dev.postroom.store.MessageStore#maxConcurrentTransactions()} handlers run at
     * once on this node (on PostgreSQL, half the pool: size the pool for it), since each holds a
     * connection until it commits.
     *
     * @throws TransactionalHandlerUnsupportedException when the store cannot (the embedded store keeps
     *                                                  its messages in a file of its own)
     * @throws IllegalStateException                    when the queue already has a handler
     */
    public <T> void handleInTransaction(String queue, Class<T> payloadType, TransactionalHandler<T> handler) {
        checkOpen();
        Objects.requireNonNull(handler, "handler");
        if (!store.runsInTransaction()) {
            throw new TransactionalHandlerUnsupportedException(store + " keeps its messages outside the application's database, so a "
                    + "handler's writes cannot commit with its ack; use handle() with an idempotent handler, or the PostgreSQL store");
        }
        StoredQueue target = catalog.require(QueueNames.require("queue", queue));
        // Each running handler holds a connection of the store's pool until it commits.
        int slots = Math.min(target.policy().concurrency(), store.maxConcurrentTransactions());
        Dispatcher<T> dispatcher = new Dispatcher<>(queue, payloadType, handler, slots, engine);
        if (dispatchers.putIfAbsent(queue, dispatcher) != null) {
            throw new IllegalStateException("queue " + queue + " already has a handler");
        }
        dispatcher.start();
    }

    /**
     * {@link #handle(String, Type, Handler)} for work that has no result: returning acks the
     * message, throwing fails the attempt.
     * <pre>{@code
     * postroom.consume("emails", Email.class, delivery -> mailer.send(delivery.payload()));
     * }</pre>
     */
    public <T> void consume(String queue, Type payloadType, MessageConsumer<T> consumer) {
        Objects.requireNonNull(consumer, "consumer");
        handle(queue, payloadType, (Handler<T>) delivery -> {
            consumer.consume(delivery);
            return null;
        });
    }

    /** Typed convenience for {@link #consume(String, Type, MessageConsumer)}. */
    public <T> void consume(String queue, Class<T> payloadType, MessageConsumer<T> consumer) {
        consume(queue, (Type) payloadType, consumer);
    }

    // ---------------------------------------------------------------- pull consumers

    /**
     * Leases up to {@code options.max()} messages, waiting up to {@code options.waitFor()} for the
     * first. Returns an empty list when nothing came.
     */
    public List<ReceivedMessage> receive(String queue, ReceiveOptions options) throws InterruptedException {
        checkOpen();
        StoredQueue target = catalog.require(QueueNames.require("queue", queue));
        if (options.max() < 1 || options.max() > 100) {
            throw new InvalidMessageException("max", "must be 1–100, was " + options.max());
        }
        Duration wait = options.waitFor() == null ? Duration.ZERO : options.waitFor();
        if (wait.isNegative() || wait.compareTo(MAX_RECEIVE_WAIT) > 0) {
            throw new InvalidMessageException("waitFor", "must be 0–" + MAX_RECEIVE_WAIT.toSeconds() + " seconds, was " + wait.toMillis() / 1000.0);
        }
        Duration lease = options.lease() == null ? target.policy().lease() : options.lease();
        PolicyValidator.lease("lease", lease);
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            long generation = signals.generation(queue);
            List<ClaimedMessage> claimed = Futures.join(store.claim(new ClaimRequest(queue, options.max(), lease, clock.instant(), node)));
            if (!claimed.isEmpty()) {
                claimed.forEach(m -> listener.changed(queue, m.id(), MessageState.IN_FLIGHT));
                return openEach(claimed);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || closed) {
                return List.of();
            }
            // Asleep until a send or a freed key wakes it, a delayed message is due, or the wait ends: an idle
            // long-poll does not ask the store again and again.
            signals.awaitChange(queue, generation, IdleWait.nanos(store, queue, clock, Math.min(left, IdleWait.MAX_NANOS)));
        }
    }

    /**
     * The claimed messages opened one by one; one that cannot be decrypted fails its attempt (and
     * is retried or dead as any failure) instead of reaching the receiver or failing the others.
     */
    private List<ReceivedMessage> openEach(List<ClaimedMessage> claimed) {
        List<ReceivedMessage> opened = new ArrayList<>(claimed.size());
        for (ClaimedMessage m : claimed) {
            try {
                opened.add(received(sealing.open(m)));
            } catch (EncryptionKeyException e) {
                log.warn("payload cannot be decrypted, attempt failed messageId={} queue={} error={}", m.id(), m.queue(), e.getMessage());
                settled(m.id(), Futures.join(store.nack(new Failure(m.id(), m.leaseId(), "payload cannot be decrypted: " + e.getMessage(),
                        null, null, false, retries, clock.instant(), node))));
            }
        }
        return opened;
    }

    private ReceivedMessage received(ClaimedMessage m) {
        return new ReceivedMessage(m.id(), m.queue(), m.payloadJson(), m.headers(), m.attempt(), m.maxAttempts(),
                m.leaseId(), m.leaseExpiresAt(), m.enqueuedAt(), m.orderingKey(), m.priority(), codec.codec());
    }

    /**
     * Completes a leased message, storing {@code result} (any Jackson-serialisable object, or null).
     *
     * @throws StaleLeaseException       when {@code leaseId} is not the current lease
     * @throws MessageNotFoundException  when there is no such message
     */
    public void ack(String id, String leaseId, Object result) {
        checkOpen();
        String resultJson = result == null ? null : result instanceof RawJson raw ? raw.json() : codec.encode("result", result);
        if (resultJson != null) {
            limits.requireWithinPayload("result", resultJson);
            Sealing.refuseReserved("result", resultJson);
        }
        settled(id, Futures.join(store.ack(new Completion(requireId(id), requireLease(leaseId), sealResult(id, resultJson), clock.instant(), node))));
    }

    /**
     * Completes many leased messages at once, each on its own: one that is unknown, stale or
     * invalid fails alone (its outcome says why) and the others are settled. The store writes them
     * together, which is what makes a batch cheaper than as many {@link #ack} calls.
     *
     * @return one outcome per entry, in their order
     * @throws InvalidMessageException when there are none, or more than {@link Limits#maxBatchSize()}
     */
    public List<SettleOutcome> ackAll(List<Settle.Ack> acks) {
        return settleAll(acks, ack -> {
            String resultJson = ack.result() == null ? null
                    : ack.result() instanceof RawJson raw ? raw.json() : codec.encode("result", ack.result());
            if (resultJson != null) {
                limits.requireWithinPayload("result", resultJson);
                Sealing.refuseReserved("result", resultJson);
            }
            return store.ack(new Completion(requireId(ack.id()), requireLease(ack.leaseId()), sealResult(ack.id(), resultJson), clock.instant(), node));
        });
    }

    /**
     * Fails the current attempts of many leased messages at once, each on its own, as {@link #ackAll}
     * does for completions; each is retried or DEAD as after {@link #nack}.
     *
     * @return one outcome per entry, in their order
     * @throws InvalidMessageException when there are none, or more than {@link Limits#maxBatchSize()}
     */
    public List<SettleOutcome> nackAll(List<Settle.Nack> nacks) {
        return settleAll(nacks, nack -> {
            requireFailure(nack.error(), nack.detail(), nack.retryAfter());
            return store.nack(new Failure(requireId(nack.id()), requireLease(nack.leaseId()), nack.error(), nack.detail(),
                    nack.retryAfter(), false, retries, clock.instant(), node));
        });
    }

    /** Starts every entry's write before waiting for any, so that the store commits them together. */
    private <S extends Settle> List<SettleOutcome> settleAll(List<S> entries, java.util.function.Function<S, CompletableFuture<Settlement>> write) {
        checkOpen();
        if (entries == null || entries.isEmpty()) {
            throw new InvalidMessageException("entries", "must hold at least one entry");
        }
        if (entries.size() > limits.maxBatchSize()) {
            throw new MessageTooLargeException("entries", entries.size(), limits.maxBatchSize(), "entries");
        }
        List<CompletableFuture<Settlement>> writes = new ArrayList<>(entries.size());
        for (S entry : entries) {
            try {
                writes.add(write.apply(entry));
            } catch (PostroomException invalid) {
                writes.add(CompletableFuture.failedFuture(invalid));
            }
        }
        List<SettleOutcome> outcomes = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            String id = entries.get(i).id();
            try {
                Settlement settlement = Futures.join(writes.get(i));
                if (settlement.state() != MessageState.SUCCEEDED) {
                    listener.failed(settlement.queue(), id, settlement.state());
                }
                outcomes.add(new SettleOutcome(id, settled(id, settlement), null));
            } catch (StoreUnavailableException unavailable) {
                throw unavailable; // not this entry's fault: the caller retries the batch
            } catch (PostroomException failed) {
                outcomes.add(new SettleOutcome(id, null, failed));
            }
        }
        return outcomes;
    }

    /**
     * Fails the current attempt of a leased message.
     *
     * @param retryAfter delay before the retry, or null for the queue's backoff
     * @return the message's new state: SCHEDULED/READY (will retry) or DEAD
     */
    public MessageState nack(String id, String leaseId, String error, String detail, Duration retryAfter) {
        requireFailure(error, detail, retryAfter);
        return failAttempt(id, leaseId, error, detail, retryAfter, false);
    }

    /** Checks a failed attempt's error and retry delay, the same for one nack and a batch. */
    private static void requireFailure(String error, String detail, Duration retryAfter) {
        if (retryAfter != null && retryAfter.isNegative()) {
            throw new InvalidMessageException("retryAfter", "must not be negative");
        }
        if (error == null || error.isBlank()) {
            throw new InvalidMessageException("error.message", "must not be empty");
        }
        if (error.length() > AttemptError.MAX_MESSAGE_CHARS) {
            throw new InvalidMessageException("error.message", "at most " + AttemptError.MAX_MESSAGE_CHARS + " characters, was " + error.length());
        }
        if (detail != null && detail.length() > AttemptError.MAX_DETAIL_CHARS) {
            throw new InvalidMessageException("error.detail", "at most " + AttemptError.MAX_DETAIL_CHARS + " characters, was " + detail.length());
        }
    }

    /**
     * Gives up on a leased message: it goes to DEAD now, whatever attempts its queue still allows,
     * with {@code error} as its last error. For a failure no retry can fix; an operator may redrive
     * it once the cause is fixed.
     *
     * @return DEAD
     * @throws StaleLeaseException      when {@code leaseId} is not the current lease
     * @throws MessageNotFoundException when there is no such message
     */
    public MessageState deadLetter(String id, String leaseId, String error, String detail) {
        return failAttempt(id, leaseId, error, detail, null, true);
    }

    private MessageState failAttempt(String id, String leaseId, String error, String detail, Duration retryAfter, boolean giveUp) {
        checkOpen();
        requireFailure(error, detail, null);
        Settlement settlement = Futures.join(store.nack(new Failure(requireId(id), requireLease(leaseId), error, detail,
                retryAfter, giveUp, retries, clock.instant(), node)));
        listener.failed(settlement.queue(), id, settlement.state());
        return settled(id, settlement);
    }

    /**
     * Puts a leased message back for {@code delay} without spending an attempt: "not yet" (the file
     * it needs has not arrived, a partner answered 429). It is SCHEDULED until then (READY at once for
     * a zero delay), its snooze counted and shown on its timeline; once it was snoozed as often as
     * its queue's {@link QueuePolicy#snoozeLimit()} allows, one more snooze ends it DEAD.
     *
     * @return SCHEDULED, READY, or DEAD past the limit
     * @throws InvalidMessageException  for a negative delay or one over 10 years
     * @throws StaleLeaseException      when {@code leaseId} is not the current lease
     * @throws MessageNotFoundException when there is no such message
     */
    public MessageState snooze(String id, String leaseId, Duration delay) {
        checkOpen();
        dev.postroom.store.Snooze.requireDelay(delay);
        Settlement settlement = Futures.join(store.snooze(snoozeOf(requireId(id), requireLease(leaseId), delay)));
        if (settlement.state() == MessageState.DEAD) {
            listener.failed(settlement.queue(), id, settlement.state());
        }
        return settled(id, settlement);
    }

    /** A snooze of a held message, with each queue's snooze limit as the catalog knows it. */
    private dev.postroom.store.Snooze snoozeOf(String id, String leaseId, Duration delay) {
        return new dev.postroom.store.Snooze(id, leaseId, delay, catalog::snoozeLimit, clock.instant(), node);
    }

    /** Extends a lease to {@code duration} from now; returns the new expiry. */
    public Instant extend(String id, String leaseId, Duration duration) {
        checkOpen();
        PolicyValidator.lease("lease", duration);
        Instant now = clock.instant();
        Instant until = now.plus(duration);
        Instant runEnds = runEnds(requireId(id));
        if (runEnds != null) {
            if (!runEnds.isAfter(now)) {
                throw new InvalidMessageException("lease", "the attempt has run its queue's maxRun; it is not extended and ends with its lease");
            }
            until = until.isAfter(runEnds) ? runEnds : until;
        }
        return Futures.join(store.extend(new LeaseExtension(id, requireLease(leaseId), until, now)));
    }

    /** When the current attempt of {@code id} reaches its queue's maxRun, or null when the queue sets none. */
    private Instant runEnds(String id) {
        if (!anyQueueLimitsRuns()) {
            return null; // the common case: no message read for an extension
        }
        Message message = store.get(id).orElse(null);
        if (message == null || message.state() != MessageState.IN_FLIGHT) {
            return null; // the store answers the extension as it should: not found, stale lease
        }
        Duration maxRun = catalog.find(message.queue()).map(q -> q.policy().maxRun()).orElse(null);
        if (maxRun == null) {
            return null;
        }
        List<TimelineEntry> timeline = message.timeline();
        for (int i = timeline.size() - 1; i >= 0; i--) {
            TimelineEntry entry = timeline.get(i);
            if (entry.state() == MessageState.IN_FLIGHT) {
                return entry.at().plus(maxRun);
            }
        }
        return null;
    }

    /** Records progress of a leased message (percent 0–100 or null, a note or null). */
    public void progress(String id, String leaseId, Integer percent, String note) {
        checkOpen();
        if (percent != null && (percent < 0 || percent > 100)) {
            throw new InvalidMessageException("percent", "must be 0–100, was " + percent);
        }
        if (note != null && note.length() > 1000) {
            throw new InvalidMessageException("note", "at most 1000 characters");
        }
        Futures.join(store.progress(new ProgressReport(requireId(id), requireLease(leaseId), percent, note, clock.instant())));
    }

    /**
     * The result sealed when the message's queue is encrypted. A receiver's ack names no queue, so
     * it is looked up, but only while some queue is encrypted at all.
     */
    private String sealResult(String id, String resultJson) {
        if (resultJson == null || !anyQueueEncrypted() || !MessageIds.isValid(id)) {
            return resultJson;
        }
        return store.get(id)
                .flatMap(m -> catalog.find(m.queue()))
                .map(q -> sealing.seal(q.policy(), resultJson))
                .orElse(resultJson);
    }

    private boolean anyQueueEncrypted() {
        for (StoredQueue queue : catalog.all()) {
            if (queue.policy().encrypted()) {
                return true;
            }
        }
        return false;
    }

    /** As current as the catalog: a queue this node receives from is in it, with its policy as of the last refresh. */
    private boolean anyQueueLimitsRuns() {
        for (StoredQueue queue : catalog.all()) {
            if (queue.policy().maxRun() != null) {
                return true;
            }
        }
        return false;
    }

    /** Wakes the queue's waiters: an ack or a retry may free an ordering key or a concurrency slot. */
    private MessageState settled(String id, Settlement settlement) {
        signals.changed(settlement.queue());
        listener.changed(settlement.queue(), id, settlement.state());
        return settlement.state();
    }

    // ---------------------------------------------------------------- operators

    /** The message with its timeline and errors, if it exists. */
    public Optional<Message> get(String id) {
        if (!MessageIds.isValid(id)) {
            return Optional.empty();
        }
        return store.get(id).map(sealing::open);
    }

    /**
     * One page of the messages matching {@code query}, newest first; pass {@link MessagePage#next()}
     * to {@link MessageQuery#withAfter} for the next page. A read: it takes no lock and waits for no
     * write. Every filter is answered from an index except the free text, which is a bounded scan:
     * see {@link MessagePage} on pages that come back short.
     *
     * @throws InvalidMessageException for a bad filter, naming it ({@code limit}, {@code queue},
     *                                 {@code orderingKey}, {@code q}, {@code until}, {@code after})
     * @throws QueueNotFoundException  when {@code query.queue()} names no queue
     */
    public MessagePage browse(MessageQuery query) {
        QueryValidator.validate(query, limits);
        if (query.queue() != null) {
            catalog.require(query.queue());
        }
        return sealing.open(store.browse(query), store::get);
    }

    /**
     * Rewrites stored messages so that every payload and result of an encrypted queue is sealed
     * with the encrypting key ({@link EncryptionKeys#primaryId()}): plain ones sent before the
     * queue was encrypted, and ones sealed with an older key. Run it after putting a new key first;
     * once it has finished, the old key may be dropped. Messages stay available throughout; one
     * changed while being rewritten is skipped, and a second run takes it. Workflow step inputs
     * recorded before keep the key they were recorded with until the workflow is forgotten.
     *
     * @param progress hears the counts after every page
     * @throws EncryptionKeyException when no key is configured
     */
    public Reencryption reencrypt(java.util.function.Consumer<Reencryption> progress) {
        checkOpen();
        return new dev.postroom.engine.Reencryptor(store, catalog, sealing).run(progress);
    }

    /** The ids of the configured encryption keys, the encrypting one first; empty when none is configured. */
    public List<String> encryptionKeyIds() {
        return sealing.keys().map(EncryptionKeys::ids).orElse(List.of());
    }

    /**
     * Makes a DEAD, CANCELLED or SUCCEEDED message READY again with a fresh set of attempts (its
     * errors and timeline are kept).
     *
     * @throws IllegalTransitionException for a message that is not final
     */
    public MessageState retry(String id) {
        checkOpen();
        return settled(id, Futures.join(store.retry(new MessageAction(requireId(id), clock.instant(), node, "retried by operator"))));
    }

    /**
     * Cancels a message that has not finished. A running handler on this node is interrupted and
     * its outcome discarded.
     *
     * @throws IllegalTransitionException for a message already final
     */
    public MessageState cancel(String id) {
        checkOpen();
        MessageState state = settled(id, Futures.join(store.cancel(new MessageAction(requireId(id), clock.instant(), node, "cancelled"))));
        running.interrupt(id);
        return state;
    }

    /** Deletes a message in any state; returns false if there was none. */
    public boolean delete(String id) {
        return delete(id, null);
    }

    /**
     * Deletes a message only while it is in {@code onlyIn} (any state when null), checked and
     * deleted in one step: a message that left that state meanwhile (redriven, retried) is kept.
     *
     * @return whether it was deleted
     */
    public boolean delete(String id, MessageState onlyIn) {
        checkOpen();
        if (!MessageIds.isValid(id)) {
            return false;
        }
        boolean deleted = Futures.join(store.delete(id, onlyIn));
        if (deleted) {
            running.interrupt(id);
        }
        return deleted;
    }

    /** Runs one maintenance pass now (promotion, lease expiry, TTL, due schedules, retention); for tests and tools. */
    public void runMaintenance() {
        checkOpen();
        maintenance.runOnce(true);
    }

    /** The Jackson mapper used for payloads and results. */
    public ObjectMapper json() {
        return codec.mapper();
    }

    /** The size limits sends are checked against. */
    public Limits limits() {
        return limits;
    }

    /**
     * The nodes serving this store, by name. On a store shared by several processes (PostgreSQL)
     * these are the nodes of its registry: each reports in every 5 s, is {@link NodeStatus.State#DEAD}
     * once it missed three heartbeats (15 s without one, judged on this node's clock) and is
     * forgotten an hour later; a node that {@link #close() closes} cleanly leaves the registry at once. This node is always listed and alive. On the embedded store, which
     * one process uses, this node is the only one.
     */
    public List<NodeStatus> nodes() {
        return heartbeat.nodes(clock.instant());
    }

    /** This node's name, as written on timelines. */
    public String node() {
        return node;
    }

    /** The clock this Postroom stamps sends and transitions with; ages of its messages are measured on it. */
    public InstantSource clock() {
        return clock;
    }

    /** The store underneath. */
    public MessageStore store() {
        return store;
    }

    private void maintainQuietly() {
        try {
            maintenance.runOnce(false);
        } catch (RuntimeException e) {
            if (!closed) {
                Throwable cause = Futures.unwrap(e);
                if (cause instanceof StoreFullException) {
                    // Four passes a second would each say so; the store logs when the disk fills and when it has room again.
                    log.debug("maintenance pass refused, disk full error={}", e.toString());
                } else {
                    log.warn("maintenance pass failed error={}", e.toString());
                }
                if (cause instanceof dev.postroom.store.StoreUnavailableException) {
                    listener.storeFailed("maintenance");
                }
            }
        }
    }

    private static String requireId(String id) {
        if (!MessageIds.isValid(id)) {
            throw new MessageNotFoundException(String.valueOf(id));
        }
        return id;
    }

    private static String requireLease(String leaseId) {
        if (leaseId == null || leaseId.isBlank() || leaseId.length() > 64) {
            throw new InvalidMessageException("leaseId", "is required");
        }
        return leaseId;
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("postroom is closed");
        }
    }

    /**
     * Stops handing out leases, waits up to the shutdown timeout for running handlers and their
     * acks, takes this node out of the store's node registry (a node stopped cleanly is not listed
     * dead), then closes the store (if it was built with {@code closeStore(true)}, the default).
     * Messages whose handlers did not finish stay IN_FLIGHT and are delivered again once their
     * lease expires (on the embedded store: at the next start). Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queueWatch.close();
        dispatchers.values().forEach(Dispatcher::stop);
        try {
            for (Dispatcher<?> dispatcher : dispatchers.values()) {
                dispatcher.awaitStopped(shutdownTimeout.toMillis());
            }
            if (!running.awaitEmpty(shutdownTimeout.toMillis())) {
                log.warn("shutdown timeout: handlers still running count={}; their messages will be redelivered", running.size());
                running.all().forEach(run -> running.interrupt(run.id()));
            }
            dispatchers.values().forEach(Dispatcher::awaitSettled);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        replies.close();
        if (timer != null) {
            timer.shutdownNow();
        }
        handlerExecutor.shutdownNow();
        try {
            heartbeat.leave(); // a clean stop is not a dead node
        } catch (RuntimeException e) {
            log.warn("could not leave the node registry node={}: listed dead until forgotten: {}", node, e.toString());
        }
        if (ownsStore) {
            store.close();
        }
        log.info("postroom stopped node={}", node);
    }

    /** Configures a {@link Postroom}. */
    public static final class Builder {
        private MessageStore store;
        private boolean closeStore = true;
        private InstantSource clock = InstantSource.system();
        private String node = defaultNode();
        private Limits limits = Limits.DEFAULT;
        private ObjectMapper mapper = JsonCodec.defaultMapper();
        private PayloadCodec codec;
        private boolean carrySenderMdc = true;
        private final List<Class<? extends Throwable>> nonRetryable = new ArrayList<>();
        private Duration maintenanceInterval = Duration.ofMillis(250);
        private RandomGenerator random = new Random();
        private Duration shutdownTimeout = Duration.ofSeconds(30);
        private MessageListener listener = MessageListener.NONE;
        private int maxPendingRequests = 10_000;
        private EncryptionKeys encryptionKeys;

        private Builder() {
        }

        /**
         * How many futures of {@link Postroom#request} and {@link Postroom#awaitResult} may wait at
         * once; default 10,000. Past it, a request throws before sending. Each waiting one costs a
         * little memory and one read a second while its message is not final here.
         */
        public Builder maxPendingRequests(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxPendingRequests must be at least 1, was " + max);
            }
            this.maxPendingRequests = max;
            return this;
        }

        /** Hears every state change this node makes (metrics, live views); default none. */
        public Builder listener(MessageListener listener) {
            this.listener = Objects.requireNonNull(listener);
            return this;
        }

        /** The store (required). */
        public Builder store(MessageStore store) {
            this.store = store;
            return this;
        }

        /** Whether {@link Postroom#close()} closes the store too; default true. */
        public Builder closeStore(boolean closeStore) {
            this.closeStore = closeStore;
            return this;
        }

        /**
         * The keys that encrypt the payloads and results of {@linkplain QueuePolicy#encrypted encrypted
         * queues}; default none, and then no queue may be encrypted. Start fails with
         * {@link EncryptionKeyException} when a queue is encrypted and no key is given, or when a
         * stored encrypted message does not open with the keys given.
         */
        public Builder encryptionKeys(EncryptionKeys keys) {
            this.encryptionKeys = keys;
            return this;
        }

        /** The time source; default the system clock. Tests pass a fake one. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** This node's name on timelines; default {@code host-pid}. */
        public Builder node(String node) {
            this.node = QueueNames.require("node", node);
            return this;
        }

        /** Size limits; default {@link Limits#DEFAULT}. */
        public Builder limits(Limits limits) {
            this.limits = Objects.requireNonNull(limits);
            return this;
        }

        /**
         * The Jackson 2 mapper for payloads and results (unless a {@link #payloadCodec} is given), and
         * the one {@link Postroom#json()} returns.
         */
        public Builder objectMapper(ObjectMapper mapper) {
            this.mapper = Objects.requireNonNull(mapper);
            return this;
        }

        /**
         * How payloads and results become JSON and back; default Jackson 2 with {@link #objectMapper}.
         * Give the application's own mapper (for example Jackson 3) so that payloads follow its settings.
         */
        public Builder payloadCodec(PayloadCodec codec) {
            this.codec = Objects.requireNonNull(codec);
            return this;
        }

        /**
         * How often background upkeep runs (promotion of due messages, lease expiry, TTL,
         * retention); default 250 ms. {@code null} turns it off: tests then call
         * {@link Postroom#runMaintenance()}.
         */
        public Builder maintenanceInterval(Duration interval) {
            this.maintenanceInterval = interval;
            return this;
        }

        /**
         * Exception types that no retry can fix: a handler that throws one (or one caused by one)
         * sends its message to DEAD after that attempt, whatever attempts are left, as
         * {@link GiveUpException} does. Adds to the types given before.
         */
        @SafeVarargs
        public final Builder nonRetryable(Class<? extends Throwable>... types) {
            for (Class<? extends Throwable> type : types) {
                nonRetryable.add(Objects.requireNonNull(type, "type"));
            }
            return this;
        }

        /**
         * Whether a send carries the sender's SLF4J MDC (a request id, a user name) to the handler,
         * which runs with those entries in its own MDC; default true. They travel as headers named
         * {@code mdc.<key>}, so operators see them on the message too. Turn it off when the MDC
         * holds what must not be stored with messages.
         */
        public Builder carrySenderMdc(boolean carry) {
            this.carrySenderMdc = carry;
            return this;
        }

        /** The randomness of retry jitter; tests pass a seeded one. */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random);
            return this;
        }

        /** How long {@link Postroom#close()} waits for running handlers; default 30 s. */
        public Builder shutdownTimeout(Duration timeout) {
            this.shutdownTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        public Postroom build() {
            return new Postroom(this);
        }

        private static String defaultNode() {
            String name = ManagementFactory.getRuntimeMXBean().getName().replace('@', '-');
            String cleaned = name.replaceAll("[^A-Za-z0-9._-]", "_");
            return cleaned.length() > 128 ? cleaned.substring(0, 128) : cleaned;
        }
    }
}
