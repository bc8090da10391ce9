package dev.postroom.engine;

import dev.postroom.AttemptError;
import dev.postroom.Futures;
import dev.postroom.Handler;
import dev.postroom.MessageTooLargeException;
import dev.postroom.store.ClaimRequest;
import dev.postroom.store.ClaimedMessage;
import dev.postroom.store.Completion;
import dev.postroom.store.Failure;
import dev.postroom.store.MessageStore;
import dev.postroom.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Feeds one queue's handler: claims as many messages as it has free slots, runs each on the
 * handler executor (virtual threads), and acks or nacks by the outcome. It sleeps on
 * {@link QueueSignals} when the queue has nothing deliverable, so a send wakes it at once.
 */
public final class Dispatcher<T> implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    /** Longest idle sleep: bounds how late a delayed message is picked up if no signal comes. */
    private static final long IDLE_NANOS = IdleWait.MAX_NANOS;
    /** Claims larger than this gain little and delay the first handler of the batch. */
    private static final int MAX_CLAIM = 256;

    private final String queue;
    private final Type payloadType;
    private final Handler<T> handler;
    /** Set for {@link dev.postroom.Postroom#handleInTransaction}: the handler runs, and its message is acked, in one store transaction. */
    private final dev.postroom.TransactionalHandler<T> inTransaction;
    private final EngineContext engine;
    private final Semaphore slots;
    private final int slotCount;
    private final ConcurrentHashMap.KeySetView<CompletableFuture<?>, Boolean> settling = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;
    private volatile Thread thread;

    public Dispatcher(String queue, Type payloadType, Handler<T> handler, int slots, EngineContext engine) {
        this(queue, payloadType, handler, null, slots, engine);
    }

    /** A dispatcher whose handler runs in the store's transaction with its message's ack (exactly-once effects). */
    public Dispatcher(String queue, Type payloadType, dev.postroom.TransactionalHandler<T> inTransaction, int slots, EngineContext engine) {
        this(queue, payloadType, null, inTransaction, slots, engine);
    }

    private Dispatcher(String queue, Type payloadType, Handler<T> handler, dev.postroom.TransactionalHandler<T> inTransaction, int slots,
                       EngineContext engine) {
        this.queue = queue;
        this.payloadType = payloadType;
        this.handler = handler;
        this.inTransaction = inTransaction;
        this.engine = engine;
        this.slotCount = slots;
        this.slots = new Semaphore(slots);
    }

    public String queue() {
        return queue;
    }

    /** Starts the claim loop on its own thread. */
    public void start() {
        thread = Thread.ofPlatform().daemon().name("postroom-dispatch-" + queue).start(this);
    }

    /** Stops claiming; running handlers go on. */
    public void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    /** Waits for the claim loop to end and for every ack/nack already issued to be durable. */
    public void awaitStopped(long millis) throws InterruptedException {
        Thread t = thread;
        if (t != null) {
            t.join(millis);
        }
    }

    /** Waits until every issued ack and nack completed. */
    public void awaitSettled() {
        for (CompletableFuture<?> future : List.copyOf(settling)) {
            future.handle((r, e) -> null).join();
        }
    }

    /** Whether every slot is free. */
    public boolean idle() {
        return slots.availablePermits() == slotCount;
    }

    @Override
    public void run() {
        MessageStore store = engine.store();
        while (running) {
            try {
                slots.acquire();
                int asked = Math.min(MAX_CLAIM, 1 + slots.drainPermits());
                AtomicInteger wanted = new AtomicInteger(asked);
                ClaimRequest.MoreSlots freedSince = upTo -> {
                    int free = slots.drainPermits();
                    int taken = Math.min(free, Math.min(upTo, MAX_CLAIM - asked));
                    slots.release(free - taken);
                    wanted.addAndGet(taken);
                    return taken;
                };
                long generation = engine.signals().generation(queue);
                List<ClaimedMessage> claimed;
                Duration lease;
                try { // the slots taken above go back on any failure, the policy lookup's included
                    lease = engine.catalog().require(queue).policy().lease();
                    claimed = Futures.join(store.claim(
                            new ClaimRequest(queue, asked, lease, engine.clock().instant(), engine.node(), freedSince)));
                } catch (RuntimeException e) {
                    slots.release(wanted.get());
                    if (!running) {
                        return;
                    }
                    log.warn("claim failed queue={} error={}", queue, e.toString());
                    if (Futures.unwrap(e) instanceof StoreUnavailableException) {
                        engine.listener().storeFailed("claim");
                    }
                    engine.signals().awaitChange(queue, generation, IDLE_NANOS);
                    continue;
                }
                slots.release(wanted.get() - claimed.size());
                for (ClaimedMessage message : claimed) {
                    engine.listener().changed(queue, message.id(), dev.postroom.MessageState.IN_FLIGHT);
                    engine.handlerExecutor().execute(() -> runHandler(message, lease));
                }
                if (claimed.isEmpty()) {
                    engine.signals().awaitChange(queue, generation, idleNanos());
                }
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
            } catch (RuntimeException e) {
                if (!running) {
                    return; // stopping: the store may refuse reads while it closes
                }
                log.error("dispatcher error queue={}", queue, e);
            }
        }
    }

    private long idleNanos() {
        return IdleWait.nanos(engine.store(), queue, engine.clock(), IDLE_NANOS);
    }

    private void runHandler(ClaimedMessage message, Duration lease) {
        HandlerRun<T> run = null;
        long started = System.nanoTime();
        SenderContext.restore(message.headers());
        MDC.put("messageId", message.id());
        MDC.put("queue", queue);
        MDC.put("attempt", Integer.toString(message.attempt()));
        // The sender's trace, so that log lines of the handler can be found from a trace and back.
        String traceId = dev.postroom.TraceHeaders.traceId(message.headers().get(dev.postroom.TraceHeaders.TRACEPARENT));
        if (traceId != null) {
            MDC.put("traceId", traceId);
        }
        try {
            T payload;
            try {
                // Opened here, one message at a time: a key problem fails this message's attempt, not its batch's.
                message = engine.sealing().open(message);
            } catch (dev.postroom.EncryptionKeyException e) {
                log.warn("payload cannot be decrypted, attempt failed messageId={} queue={} error={}", message.id(), queue, e.getMessage());
                settle(message, started, "payload cannot be decrypted: " + e.getMessage(), e, HandlerFailures.Verdict.BACKOFF);
                return;
            }
            try {
                payload = engine.codec().decode(message.payloadJson(), payloadType);
            } catch (Exception e) {
                // No retry can fix a payload: spend no more attempts on it.
                String error = "payload cannot be decoded as " + payloadType.getTypeName() + ": " + JsonCodec.describe(e);
                log.warn("undecodable payload, message is dead messageId={} queue={} error={}", message.id(), queue, error);
                settle(message, started, error, e, new HandlerFailures.Verdict(true, null));
                return;
            }
            run = new HandlerRun<>(message, payload, engine.store(), engine.clock(), lease, engine.codec().codec(),
                    engine.sealing());
            run.bindThread(Thread.currentThread());
            engine.running().add(run);
            Object result;
            try (Tracing.Scope trace = engine.tracing().process(queue, message.id(), message.attempt(), message.headers())) {
                try {
                    result = inTransaction == null ? handler.handle(run) : handleAndAckInTransaction(run, message);
                } catch (Throwable e) {
                    trace.failed(e);
                    throw e;
                }
            } catch (Throwable e) {
                boolean interrupted = e instanceof InterruptedException || Thread.interrupted();
                if (run.timedOutAfter() != null) {
                    settleTimedOut(message, started, run.timedOutAfter(), e);
                    return;
                }
                if (interrupted && !running) {
                    // Stopped by the shutdown timeout: not the message's failure, so no attempt is spent on it.
                    // Its lease stays: the embedded store hands it out again after a restart, PostgreSQL once
                    // the lease ends.
                    log.warn("handler interrupted by shutdown; the message will be delivered again messageId={} queue={} attempt={}",
                            message.id(), queue, message.attempt());
                    return;
                }
                if (run.snoozeFor() != null) {
                    snooze(message, started, run.snoozeFor());
                    return;
                }
                if (interrupted) {
                    log.info("handler interrupted messageId={} queue={} attempt={}", message.id(), queue, message.attempt());
                } else {
                    log.info("handler failed messageId={} queue={} attempt={} error={}", message.id(), queue, message.attempt(), e.toString());
                }
                // An oversized result comes back on every retry: dead at once, as outside a transaction.
                HandlerFailures.Verdict verdict = e instanceof MessageTooLargeException && inTransaction != null
                        ? new HandlerFailures.Verdict(true, null) : engine.failures().judge(e);
                settle(message, started, errorText(e), e, verdict);
                return;
            }
            Thread.interrupted();
            if (result == ACKED_IN_TRANSACTION) {
                // Committed with the handler's writes: settled, whatever the clock says now.
                track(message, started, CompletableFuture.completedFuture(new dev.postroom.store.Settlement(queue, dev.postroom.MessageState.SUCCEEDED)));
                return;
            }
            if (run.timedOutAfter() != null) { // it returned, but too late: the attempt has failed
                settleTimedOut(message, started, run.timedOutAfter(), null);
                return;
            }
            if (run.snoozeFor() != null) {
                snooze(message, started, run.snoozeFor());
                return;
            }
            String resultJson = result == null ? null : engine.codec().encode("result", result);
            if (resultJson != null) {
                try {
                    engine.limits().requireWithinPayload("result", resultJson);
                    Sealing.refuseReserved("result", resultJson);
                } catch (dev.postroom.InvalidMessageException refused) {
                    // The same result comes back on every retry: a bug in the handler, for an operator to see.
                    settle(message, started, errorText(refused), refused, new HandlerFailures.Verdict(true, null));
                    return;
                }
            }
            track(message, started, engine.store().ack(new Completion(message.id(), message.leaseId(), sealed(resultJson),
                    engine.clock().instant(), engine.node())));
        } catch (RuntimeException e) {
            log.error("could not settle messageId={} queue={}", message.id(), queue, e);
        } finally {
            if (run != null) {
                engine.running().remove(run);
            }
            MDC.clear();
            slots.release();
        }
    }

    /** A result as its queue keeps it: sealed when the queue is encrypted. */
    private String sealed(String resultJson) {
        return resultJson == null ? null : engine.catalog().find(queue).map(q -> engine.sealing().seal(q.policy(), resultJson)).orElse(resultJson);
    }

    /** What {@link #handleAndAckInTransaction} returns: the message is settled, by the transaction that committed. */
    private static final Object ACKED_IN_TRANSACTION = new Object();

    /**
     * Runs the handler and acks its message in one store transaction. A snooze, a timeout or an
     * oversized result throws, so that the handler's writes roll back with everything else; the
     * catch of the caller settles the attempt as usual.
     */
    private Object handleAndAckInTransaction(HandlerRun<T> run, ClaimedMessage message) throws Exception {
        return engine.store().inTransaction(connection -> {
            Object result = inTransaction.handle(run, connection);
            if (run.snoozeFor() != null) {
                throw new IllegalStateException("snoozed: the handler's writes were rolled back");
            }
            if (run.timedOutAfter() != null) {
                throw new java.util.concurrent.TimeoutException("ran past the queue's maxRun; the handler's writes were rolled back");
            }
            String resultJson = result == null ? null : engine.codec().encode("result", result);
            if (resultJson != null) {
                engine.limits().requireWithinPayload("result", resultJson);
                Sealing.refuseReserved("result", resultJson);
            }
            engine.store().ackInTransaction(connection, new Completion(message.id(), message.leaseId(), sealed(resultJson),
                    engine.clock().instant(), engine.node()));
            return ACKED_IN_TRANSACTION;
        });
    }

    private void settle(ClaimedMessage message, long started, String text, Throwable error, HandlerFailures.Verdict verdict) {
        Thread.interrupted();
        track(message, started, engine.store().nack(new Failure(message.id(), message.leaseId(), text, stackTrace(error),
                verdict.retryAfter(), verdict.giveUp(), engine.retries(), engine.clock().instant(), engine.node())));
    }

    /** Puts the message back for {@code delay}, as its handler asked; no attempt is spent. */
    private void snooze(ClaimedMessage message, long started, java.time.Duration delay) {
        Thread.interrupted();
        log.info("handler snoozed messageId={} queue={} attempt={} delaySeconds={}", message.id(), queue, message.attempt(),
                delay.toMillis() / 1000.0);
        track(message, started, engine.store().snooze(new dev.postroom.store.Snooze(message.id(), message.leaseId(), delay,
                engine.catalog()::snoozeLimit,
                engine.clock().instant(), engine.node())), true);
    }

    /** Fails an attempt that ran past its queue's maxRun; it is retried or dead as any failure. */
    private void settleTimedOut(ClaimedMessage message, long started, java.time.Duration maxRun, Throwable thrown) {
        String text = "timed out: ran longer than the queue's maxRun of " + PolicyValidator.seconds(maxRun) + " s";
        log.info("handler timed out messageId={} queue={} attempt={}", message.id(), queue, message.attempt());
        Throwable error = thrown == null ? new java.util.concurrent.TimeoutException(text) : thrown;
        settle(message, started, text, error, HandlerFailures.Verdict.BACKOFF);
    }

    /** The exception as the attempt's one-line error, cut to what a stored error keeps. */
    private static String errorText(Throwable error) {
        String text = error.getMessage() == null ? error.getClass().getName() : error.getClass().getSimpleName() + ": " + error.getMessage();
        int max = AttemptError.MAX_MESSAGE_CHARS;
        return text.length() > max ? text.substring(0, max - 1) + "…" : text;
    }

    private void track(ClaimedMessage message, long started, CompletableFuture<dev.postroom.store.Settlement> future) {
        track(message, started, future, false);
    }

    /** {@code snoozed}: a SCHEDULED or READY outcome is the snooze asked for, not a failed attempt. */
    private void track(ClaimedMessage message, long started, CompletableFuture<dev.postroom.store.Settlement> future, boolean snoozed) {
        settling.add(future);
        future.whenComplete((settlement, e) -> {
            settling.remove(future);
            engine.signals().changed(queue);
            if (settlement != null) {
                long handleNanos = System.nanoTime() - started;
                long sinceSend = java.time.Duration.between(message.enqueuedAt(), engine.clock().instant()).toNanos();
                if (settlement.state() != dev.postroom.MessageState.SUCCEEDED
                        && !(snoozed && settlement.state() != dev.postroom.MessageState.DEAD)) {
                    engine.listener().failed(queue, message.id(), settlement.state());
                }
                engine.listener().changed(queue, message.id(), settlement.state());
                engine.listener().handled(queue, settlement.state(), sinceSend, handleNanos);
            }
            // A lost lease (cancelled, or expired and re-delivered) is expected; the store kept the newer outcome.
            Throwable cause = e == null ? null : Futures.unwrap(e);
            if (cause instanceof StoreUnavailableException) {
                // Not settled, and not reported as settled: the message is delivered again once its lease ends.
                log.warn("settling failed, store unavailable; the message will be delivered again messageId={} queue={} attempt={} error={}",
                        message.id(), queue, message.attempt(), cause.toString());
                engine.listener().storeFailed("settle");
            } else if (cause != null && !(cause instanceof dev.postroom.StaleLeaseException)) {
                log.error("settling a message failed queue={}", queue, e);
            }
        });
    }

    static String stackTrace(Throwable error) {
        StringWriter out = new StringWriter();
        error.printStackTrace(new PrintWriter(out));
        String trace = out.toString();
        return trace.length() > 16_384 ? trace.substring(0, 16_384) + "\n…(truncated)" : trace;
    }
}
