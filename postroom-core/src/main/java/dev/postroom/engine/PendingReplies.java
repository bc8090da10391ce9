package dev.postroom.engine;

import dev.postroom.Futures;
import dev.postroom.AttemptError;
import dev.postroom.InvalidMessageException;
import dev.postroom.Message;
import dev.postroom.MessageFailedException;
import dev.postroom.MessageListener;
import dev.postroom.MessageNotFoundException;
import dev.postroom.MessageState;
import dev.postroom.PostroomException;
import dev.postroom.store.MessageStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The futures of {@link dev.postroom.Postroom#request} and {@link dev.postroom.Postroom#awaitResult}
 * waiting for their message to finish. They learn of it two ways:
 * <ul>
 *   <li>this node's own state changes: the engine reports every final state it makes here (as a
 *       {@link MessageListener}), and the waiter completes after one read of the message for its
 *       result or error. Local work is never polled for.</li>
 *   <li>a re-check every {@link #RECHECK_EVERY} that reads each message still awaited, because a
 *       message can become final without this node hearing of it: another node acked or cancelled it
 *       on a shared store (PostgreSQL), maintenance expired its TTL or its last lease (the store
 *       reports those as counts, not per message), or it was deleted.</li>
 * </ul>
 * A waiter is registered only after its send completed, so it reads the message once right away:
 * a handler may have finished before the waiter was there to hear it.
 *
 * <p>A waiter is removed as soon as its future completes, whatever completed it: the reply, a
 * failure, the caller's {@code cancel} or {@code orTimeout}. At most {@code capacity} wait at once, so
 * callers that never get an answer cannot grow this without bound. Futures are completed on virtual
 * threads, never on the thread that reported the change (it may be the store's committer), so a
 * caller's dependent stages cannot stall the engine.
 */
public final class PendingReplies implements MessageListener {
    private static final Logger log = LoggerFactory.getLogger(PendingReplies.class);
    /**
     * How often messages still awaited are read again. Only changes this node did not make need it,
     * so a second is late enough to cost little (one read per awaited message) and early enough for
     * a caller waiting on a human-scale job.
     */
    static final Duration RECHECK_EVERY = Duration.ofSeconds(1);

    private final MessageStore store;
    private final JsonCodec codec;
    private final Sealing sealing;
    private final int capacity;
    private final Semaphore free;
    private final ConcurrentHashMap<String, Set<Waiter<?>>> byId = new ConcurrentHashMap<>();
    private final ExecutorService completer = Executors.newVirtualThreadPerTaskExecutor();
    private ScheduledExecutorService rechecker;
    private volatile boolean closed;

    public PendingReplies(MessageStore store, JsonCodec codec, int capacity, Sealing sealing) {
        this.sealing = sealing;
        this.store = store;
        this.codec = codec;
        this.capacity = capacity;
        this.free = new Semaphore(capacity);
    }

    /**
     * Takes a place for a waiter whose message is not sent yet; {@link #attach} it once the id is
     * known. The place is given back when the waiter's future completes.
     *
     * @throws PostroomException when {@code capacity} waiters are pending already
     */
    public <R> Waiter<R> reserve(Type resultType) {
        if (closed) {
            throw new IllegalStateException("postroom is closed");
        }
        if (!free.tryAcquire()) {
            throw new PostroomException("too many pending requests: " + capacity
                    + " already wait for a reply (Postroom.Builder.maxPendingRequests)");
        }
        Waiter<R> waiter = new Waiter<>(resultType);
        waiter.future.whenComplete((result, error) -> release(waiter));
        return waiter;
    }

    /** Starts waiting for message {@code id} on behalf of {@code waiter}. */
    public void attach(Waiter<?> waiter, String id) {
        waiter.id = id;
        byId.compute(id, (key, set) -> {
            Set<Waiter<?>> waiters = set == null ? ConcurrentHashMap.newKeySet() : set;
            waiters.add(waiter);
            return waiters;
        });
        // Completed (cancelled by the caller) while attaching: release() may have run before the id was set.
        if (waiter.future.isDone()) {
            remove(id, waiter);
            return;
        }
        startRechecking();
        checkLater(id);
    }

    /** Fails {@code waiter} (its send failed), on a completer thread. */
    public void fail(Waiter<?> waiter, Throwable error) {
        try {
            completer.execute(() -> waiter.future.completeExceptionally(error));
        } catch (RejectedExecutionException e) {
            waiter.future.completeExceptionally(error);
        }
    }

    /** How many futures wait for a reply. */
    public int size() {
        return capacity - free.availablePermits();
    }

    @Override
    public void changed(String queue, String id, MessageState state) {
        if (state.isFinal() && byId.containsKey(id)) {
            checkLater(id);
        }
    }

    private void checkLater(String id) {
        try {
            completer.execute(() -> check(id));
        } catch (RejectedExecutionException e) {
            // Closing: close() fails every waiter left.
        }
    }

    private void check(String id) {
        if (!byId.containsKey(id)) {
            return;
        }
        Optional<Message> message;
        try {
            message = store.get(id).map(sealing::open);
        } catch (RuntimeException e) {
            // The next re-check reads it again; the waiter's future is not the place for a passing store error.
            log.debug("reading an awaited message failed messageId={} error={}", id, e.toString());
            return;
        }
        if (message.isEmpty() || message.get().state().isFinal()) {
            for (Waiter<?> waiter : byId.getOrDefault(id, Set.of())) {
                waiter.finish(id, message, codec);
            }
        }
    }

    private synchronized void startRechecking() {
        if (rechecker != null || closed) {
            return;
        }
        rechecker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("postroom-replies").factory());
        long every = RECHECK_EVERY.toMillis();
        rechecker.scheduleWithFixedDelay(this::recheck, every, every, TimeUnit.MILLISECONDS);
    }

    /** Reads every awaited message on this thread; only the completions go to the completer. */
    private void recheck() {
        for (String id : List.copyOf(byId.keySet())) {
            if (closed) {
                return;
            }
            Optional<Message> message;
            try {
                message = store.get(id).map(sealing::open);
            } catch (RuntimeException e) {
                if (!closed) {
                    log.debug("re-reading an awaited message failed messageId={} error={}", id, e.toString());
                }
                continue;
            }
            if (message.isEmpty() || message.get().state().isFinal()) {
                for (Waiter<?> waiter : byId.getOrDefault(id, Set.of())) {
                    try {
                        completer.execute(() -> waiter.finish(id, message, codec));
                    } catch (RejectedExecutionException e) {
                        return;
                    }
                }
            }
        }
    }

    private void release(Waiter<?> waiter) {
        if (waiter.released.compareAndSet(false, true)) {
            free.release();
            String id = waiter.id;
            if (id != null) {
                remove(id, waiter);
            }
        }
    }

    private void remove(String id, Waiter<?> waiter) {
        byId.computeIfPresent(id, (key, waiters) -> {
            waiters.remove(waiter);
            return waiters.isEmpty() ? null : waiters;
        });
    }

    /**
     * Stops listening and fails every future still waiting with an {@link IllegalStateException}:
     * nothing would complete them any more.
     */
    public void close() {
        ScheduledExecutorService stopping;
        synchronized (this) {
            closed = true;
            stopping = rechecker;
        }
        if (stopping != null) {
            stopping.shutdownNow();
        }
        completer.shutdown();
        try {
            // Completions already under way read the store, which is still open here.
            completer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        completer.shutdownNow();
        for (Set<Waiter<?>> waiters : List.copyOf(byId.values())) {
            for (Waiter<?> waiter : List.copyOf(waiters)) {
                waiter.future.completeExceptionally(new IllegalStateException(
                        "postroom closed before message " + waiter.id + " finished"));
            }
        }
    }

    @Override
    public String toString() {
        return "PendingReplies[waiting=" + size() + ", messages=" + byId.size() + ", capacity=" + capacity + "]";
    }

    /** One caller waiting for one message's result, decoded into {@code resultType}. */
    public static final class Waiter<R> {
        private final Type resultType;
        private final CompletableFuture<R> future = new CompletableFuture<>();
        private final AtomicBoolean released = new AtomicBoolean();
        private volatile String id;

        private Waiter(Type resultType) {
            this.resultType = resultType;
        }

        /** The future the caller holds. */
        public CompletableFuture<R> future() {
            return future;
        }

        private void finish(String id, Optional<Message> found, JsonCodec codec) {
            if (found.isEmpty()) {
                future.completeExceptionally(new MessageNotFoundException(id));
                return;
            }
            Message message = found.get();
            switch (message.state()) {
                case SUCCEEDED -> succeed(message, codec);
                case DEAD, CANCELLED -> {
                    AttemptError last = message.errors().isEmpty() ? null : message.errors().getLast();
                    future.completeExceptionally(new MessageFailedException(id, message.state(), last));
                }
                default -> {
                    // Not final: a later change or re-check completes it.
                }
            }
        }

        private void succeed(Message message, JsonCodec codec) {
            if (message.resultJson() == null) {
                future.complete(null);
                return;
            }
            try {
                future.complete(codec.decode(message.resultJson(), resultType));
            } catch (Exception e) {
                future.completeExceptionally(new InvalidMessageException("result", "cannot be read as "
                        + resultType.getTypeName() + ": " + JsonCodec.describe(e), e));
            }
        }

        @Override
        public String toString() {
            return "Waiter[id=" + id + ", type=" + resultType.getTypeName() + ", done=" + future.isDone() + "]";
        }
    }
}
