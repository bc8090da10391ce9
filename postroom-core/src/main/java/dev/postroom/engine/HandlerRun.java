package dev.postroom.engine;

import dev.postroom.PayloadCodec;
import dev.postroom.WorkflowContext;
import dev.postroom.Workflows;
import java.util.Optional;

import dev.postroom.Futures;
import dev.postroom.Delivery;
import dev.postroom.store.ClaimedMessage;
import dev.postroom.store.LeaseExtension;
import dev.postroom.store.MessageStore;
import dev.postroom.store.ProgressReport;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;

/** One invocation of a handler for one claimed message: the {@link Delivery} the handler sees. */
public final class HandlerRun<T> implements Delivery<T> {
    private final ClaimedMessage message;
    private final T payload;
    private final MessageStore store;
    private final InstantSource clock;
    private final Duration lease;
    private final PayloadCodec codec;
    private final Instant startedAt;
    private final Sealing sealing;
    private volatile Instant leaseExpiresAt;
    private volatile Thread thread;
    /** Set when the handler asked for a snooze: the message is snoozed instead of settled. */
    private volatile Duration snoozeFor;
    /** Set when the run outlived its queue's maxRun: the attempt fails with a timeout, whatever the handler does. */
    private volatile Duration timedOutAfter;

    HandlerRun(ClaimedMessage message, T payload, MessageStore store, InstantSource clock, Duration lease, PayloadCodec codec,
               Sealing sealing) {
        this.sealing = sealing;
        this.message = message;
        this.codec = codec;
        this.payload = payload;
        this.store = store;
        this.clock = clock;
        this.lease = lease;
        this.leaseExpiresAt = message.leaseExpiresAt();
        this.startedAt = clock.instant();
    }

    @Override
    public void snooze(Duration delay) {
        dev.postroom.store.Snooze.requireDelay(delay);
        snoozeFor = delay;
    }

    /** The snooze the handler asked for, or null. */
    Duration snoozeFor() {
        return snoozeFor;
    }

    @Override
    public Optional<WorkflowContext> workflow() {
        if (!message.headers().containsKey(Workflows.ID_HEADER)) {
            return Optional.empty();
        }
        return sealing.inputs(store.workflows(), message.id())
                .map(in -> new WorkflowContext(in.workflowId(), in.step(), in.resultsJson(), codec));
    }

    /** When the handler was called. */
    Instant startedAt() {
        return startedAt;
    }

    /** Ends the run for running longer than {@code maxRun}: its lease is no longer renewed and its handler is interrupted. */
    void timeOut(Duration maxRun) {
        timedOutAfter = maxRun;
        interrupt();
    }

    /** The maxRun this run outlived, or null while it has not. */
    Duration timedOutAfter() {
        return timedOutAfter;
    }

    void bindThread(Thread thread) {
        this.thread = thread;
    }

    void interrupt() {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    ClaimedMessage message() {
        return message;
    }

    /** The lease length this run was claimed with; the lease keeper renews by as much. */
    Duration lease() {
        return lease;
    }

    @Override
    public String id() {
        return message.id();
    }

    @Override
    public String queue() {
        return message.queue();
    }

    @Override
    public T payload() {
        return payload;
    }

    @Override
    public Map<String, String> headers() {
        return message.headers();
    }

    @Override
    public int attempt() {
        return message.attempt();
    }

    @Override
    public Instant leaseExpiresAt() {
        return leaseExpiresAt;
    }

    @Override
    public void extendLease(Duration duration) {
        Instant now = clock.instant();
        leaseExpiresAt = Futures.join(store.extend(new LeaseExtension(message.id(), message.leaseId(), now.plus(duration), now)));
    }

    @Override
    public void progress(Integer percent, String note) {
        Futures.join(store.progress(new ProgressReport(message.id(), message.leaseId(), percent, note, clock.instant())));
    }

    @Override
    public String toString() {
        return "HandlerRun[id=" + message.id() + ", queue=" + message.queue() + ", attempt=" + message.attempt() + "]";
    }
}
