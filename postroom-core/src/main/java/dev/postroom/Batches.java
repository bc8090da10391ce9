package dev.postroom;

import dev.postroom.engine.EngineContext;
import dev.postroom.store.MessageIds;
import dev.postroom.engine.QueueNames;
import dev.postroom.store.BatchStore;
import dev.postroom.store.NewBatch;
import dev.postroom.store.NewMessage;
import dev.postroom.store.OnComplete;
import dev.postroom.store.SendBatch;
import dev.postroom.store.SendOutcome;
import dev.postroom.store.StoredBatch;
import dev.postroom.store.StoredQueue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Batches: messages sent together under one id, whose progress can be followed as a whole, and
 * which can send one more message — the completion message — once every member has ended. Get it
 * from {@link Postroom#batches()}.
 * <pre>{@code
 * BatchResult batch = postroom.batches().send("refunds", refunds.stream().map(OutgoingMessage::of).toList(),
 *         BatchOptions.onComplete("reports", Map.of("report", "refunds-2026-11"))).join();
 * BatchStatus status = postroom.batches().get(batch.batchId()); // pending, succeeded, failed, ...
 * }</pre>
 *
 * <p>Members are ordinary messages of one queue, stored all or nothing in one transaction with the
 * batch: each is delivered, retried, dead-lettered, cancelled or redriven on its own. A member has
 * ended when it is SUCCEEDED, DEAD or CANCELLED, or was deleted. The engine's maintenance (every
 * 250 ms by default) completes a batch once no member is pending, and only then sends its
 * completion message: the payload given, with the headers given plus
 * {@value #ID_HEADER}, {@value #TOTAL_HEADER},
 * {@value #SUCCEEDED_HEADER}, {@value #FAILED_HEADER},
 * {@value #CANCELLED_HEADER} and {@value #DELETED_HEADER} (decimal
 * counts at completion). A batch completes exactly once, also with several nodes on one PostgreSQL
 * database. A member redriven or retried after that is handled as usual but does not complete the
 * batch again.
 *
 * <p>Members may not carry an idempotency key: a duplicate would be no member at all. A completed
 * batch is kept while any member is stored, and at least a day; then it is forgotten.
 */
public final class Batches {
    /** Header of a completion message: the batch id. */
    public static final String ID_HEADER = "postroom-batch-id";
    /** Header of a completion message: members the batch was sent with. */
    public static final String TOTAL_HEADER = "postroom-batch-total";
    /** Header of a completion message: members SUCCEEDED. */
    public static final String SUCCEEDED_HEADER = "postroom-batch-succeeded";
    /** Header of a completion message: members DEAD. */
    public static final String FAILED_HEADER = "postroom-batch-failed";
    /** Header of a completion message: members CANCELLED. */
    public static final String CANCELLED_HEADER = "postroom-batch-cancelled";
    /** Header of a completion message: members deleted before the batch completed. */
    public static final String DELETED_HEADER = "postroom-batch-deleted";
    /** What every {@code postroom-batch-*} header starts with; senders may not set such headers themselves. */
    public static final String HEADER_PREFIX = "postroom-batch-";
    /** How many headers completion adds, so that a sender's own headers leave room for them. */
    static final int ADDED_HEADERS = 6;

    private final EngineContext engine;
    private final BatchStore store;

    Batches(EngineContext engine) {
        this.engine = engine;
        this.store = engine.store().batches();
    }

    /**
     * Sends {@code messages} to {@code queue} as one batch: the batch and every member are stored,
     * or (on any invalid entry) nothing is. The future completes once they are durable. Field names
     * in errors are prefixed {@code messages[i].} and {@code onComplete.}.
     *
     * @throws InvalidMessageException  for a bad option or payload, an idempotency key on a member, or
     *                                  a {@code postroom-batch-*} completion header (the field is named)
     * @throws MessageTooLargeException for a payload over the limit, or more members than
     *                                  {@link Limits#maxBatchSize()}
     * @throws QueueNotFoundException   when {@code queue} or the completion queue does not exist
     */
    public CompletableFuture<BatchResult> send(String queue, List<OutgoingMessage> messages, BatchOptions options) {
        engine.requireOpen();
        QueueNames.require("queue", queue);
        if (options == null) {
            options = BatchOptions.NONE;
        }
        if (messages == null || messages.isEmpty()) {
            throw new InvalidMessageException("messages", "must not be empty");
        }
        if (messages.size() > engine.limits().maxBatchSize()) {
            throw new MessageTooLargeException("messages", messages.size(), engine.limits().maxBatchSize(), "messages");
        }
        StoredQueue target = engine.catalog().require(queue);
        Instant now = engine.clock().instant();
        List<NewMessage> members = new ArrayList<>(messages.size());
        java.util.Set<String> uniqueKeys = new java.util.HashSet<>();
        for (int i = 0; i < messages.size(); i++) {
            OutgoingMessage message = messages.get(i);
            String prefix = "messages[" + i + "].";
            if (message.options().idempotencyKey() != null) {
                throw new InvalidMessageException(prefix + "idempotencyKey",
                        "not allowed in a batch: a duplicate would not be a member; send the batch once");
            }
            if (message.options().debounce() != null) {
                throw new InvalidMessageException(prefix + "debounce",
                        "not allowed in a batch: a debounced send would go into another message, not be a member");
            }
            if (message.options().uniqueKey() != null && !uniqueKeys.add(message.options().uniqueKey())) {
                throw new InvalidMessageException(prefix + "uniqueKey", "repeats a unique key of this batch");
            }
            members.add(engine.factory().create(queue, target.policy(), message.payload(), message.options(), now, prefix));
        }
        OnComplete onComplete = options.hasCompletion() ? onComplete(options, now) : null;
        String batchId = engine.ids().next();
        return store.create(new NewBatch(batchId, queue, new SendBatch(members, now, engine.node()), onComplete)).thenApply(outcomes -> {
            engine.signals().changed(queue);
            List<SendResult> results = new ArrayList<>(outcomes.size());
            for (SendOutcome outcome : outcomes) {
                results.add(new SendResult(outcome.id(), outcome.state(), outcome.duplicate(), outcome.debounced()));
                engine.listener().sent(queue, outcome.id(), outcome.state(), outcome.duplicate());
            }
            return new BatchResult(batchId, results);
        });
    }

    /** Validates the completion message now, so that a batch that cannot complete is never stored. */
    private OnComplete onComplete(BatchOptions options, Instant now) {
        String queue = QueueNames.require("onComplete.queue", options.completionQueue());
        StoredQueue target = engine.catalog().require(queue);
        Map<String, String> headers = options.completionHeaders();
        if (headers.size() > engine.limits().maxHeaders() - ADDED_HEADERS) {
            throw new InvalidMessageException("onComplete.headers", "at most " + (engine.limits().maxHeaders() - ADDED_HEADERS)
                    + " entries (completion adds " + ADDED_HEADERS + "), was " + headers.size());
        }
        for (String name : headers.keySet()) {
            if (name.startsWith(HEADER_PREFIX)) {
                throw new InvalidMessageException("onComplete.headers." + name, "the " + HEADER_PREFIX
                        + "* headers are set at completion");
            }
        }
        Object payload = options.completionPayload() == null ? new RawJson("null") : options.completionPayload();
        NewMessage checked = engine.factory().create(queue, target.policy(), payload, SendOptions.builder().headers(headers).build(),
                now, "onComplete.");
        return new OnComplete(queue, checked.payloadJson(), headers);
    }

    /**
     * The batch, its members counted by state now.
     *
     * @throws BatchNotFoundException when there is no such batch
     */
    public BatchStatus get(String id) {
        if (!MessageIds.isValid(id)) {
            throw new BatchNotFoundException(String.valueOf(id));
        }
        return store.get(id).map(Batches::status).orElseThrow(() -> new BatchNotFoundException(id));
    }

    /**
     * Up to {@code limit} (1–500) batches, newest first: from the newest when {@code before} is null,
     * else those sent before the batch {@code before} names ({@link BatchPage#next()}).
     *
     * @throws InvalidMessageException for a limit out of range or a malformed {@code before}
     */
    public BatchPage list(String before, int limit) {
        checkPaging("before", before, limit);
        List<StoredBatch> found = store.recent(before, limit + 1);
        List<BatchStatus> page = found.stream().limit(limit).map(Batches::status).toList();
        return new BatchPage(page, found.size() > limit ? page.getLast().id() : null);
    }

    /**
     * Up to {@code limit} (1–500) members of the batch in the order they were sent: from the first
     * when {@code after} is null, else those after the member {@code after} names
     * ({@link MessagePage#next()}).
     *
     * @throws BatchNotFoundException  when there is no such batch
     * @throws InvalidMessageException for a limit out of range or a malformed {@code after}
     */
    public MessagePage members(String id, String after, int limit) {
        checkPaging("after", after, limit);
        get(id);
        List<MessageSummary> found = engine.sealing().openPreviews(store.members(id, after, limit + 1), engine.store()::get);
        List<MessageSummary> page = found.size() > limit ? found.subList(0, limit) : found;
        return new MessagePage(page, found.size() > limit ? page.getLast().id() : null);
    }

    private static void checkPaging(String field, String cursor, int limit) {
        if (limit < 1 || limit > MessageQuery.MAX_LIMIT) {
            throw new InvalidMessageException("limit", "must be 1–" + MessageQuery.MAX_LIMIT + ", was " + limit);
        }
        if (cursor != null && !MessageIds.isValid(cursor)) {
            throw new InvalidMessageException(field, "must be an id from an earlier page");
        }
    }

    private static BatchStatus status(StoredBatch b) {
        long deleted = Math.max(0, b.total() - b.counts().stored());
        return new BatchStatus(b.id(), b.queue(), b.createdAt(), b.total(), b.counts().pending(), b.counts().succeeded(),
                b.counts().failed(), b.counts().cancelled(), deleted, b.onComplete() == null ? null : b.onComplete().queue(),
                b.completedAt(), b.completionMessageId());
    }
}
