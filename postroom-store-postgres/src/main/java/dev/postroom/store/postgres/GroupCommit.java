package dev.postroom.store.postgres;

import dev.postroom.MessageState;
import dev.postroom.store.Completion;
import dev.postroom.store.NewMessage;
import dev.postroom.store.SendBatch;
import dev.postroom.store.SendOutcome;
import dev.postroom.store.Settlement;
import dev.postroom.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import javax.sql.DataSource;

/**
 * Group commit for the two writes every message makes: its send and its ack. Callers queue them;
 * a few committer threads each take whatever is waiting (up to {@value #MAX_GROUP}) and write it
 * in one transaction, so one commit — one WAL flush — pays for many messages instead of one. Under
 * light load a group is a single request, committed at once.
 *
 * <p>Sends with idempotency keys are not grouped (they must see each other's keys, and a lost race
 * is retried), nor is anything else: the store sends those alone. A request the group cannot do
 * (an unknown queue, a stale lease, a malformed id) is redone alone after the group commits, by the
 * path that reports its failure precisely; if the group fails before its commit, every request is
 * redone alone. If the commit itself fails its outcome is unknown, and every request of the group
 * fails with {@link StoreUnavailableException}, as a lone transaction's would.
 */
final class GroupCommit implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);
    /** Bounds one transaction's statements (and so its lock time and the arrays sent). */
    static final int MAX_GROUP = 512;

    private final DataSource pool;
    private final GroupedWrites writes;
    private final Function<SendBatch, CompletableFuture<List<SendOutcome>>> sendAlone;
    private final Function<Completion, CompletableFuture<Settlement>> ackAlone;
    private final BlockingQueue<Request> waiting = new LinkedBlockingQueue<>();
    private final int committerCount;
    private final List<Thread> committers = new ArrayList<>();
    private volatile boolean closing;

    private sealed interface Request permits Send, Ack {
    }

    private record Send(SendBatch batch, CompletableFuture<List<SendOutcome>> future) implements Request {
    }

    private record Ack(GroupedWrites.AckRequest request, CompletableFuture<Settlement> future) implements Request {
    }

    GroupCommit(DataSource pool, GroupedWrites writes, int committers,
                Function<SendBatch, CompletableFuture<List<SendOutcome>>> sendAlone,
                Function<Completion, CompletableFuture<Settlement>> ackAlone) {
        this.pool = pool;
        this.writes = writes;
        this.sendAlone = sendAlone;
        this.ackAlone = ackAlone;
        this.committerCount = committers;
    }

    /** Starts the committers; requests queued before are the first group. */
    GroupCommit start() {
        for (int i = 0; i < committerCount; i++) {
            committers.add(Thread.ofPlatform().daemon().name("postroom-pg-commit-" + i).start(this::commitLoop));
        }
        return this;
    }

    CompletableFuture<List<SendOutcome>> send(SendBatch batch) {
        CompletableFuture<List<SendOutcome>> future = new CompletableFuture<>();
        enqueue(new Send(batch, future), future);
        return future;
    }

    CompletableFuture<Settlement> ack(Completion completion) {
        UUID id = IdBounds.parse(completion.id());
        if (id == null) {
            return ackAlone.apply(completion); // reports the unknown id
        }
        CompletableFuture<Settlement> future = new CompletableFuture<>();
        enqueue(new Ack(new GroupedWrites.AckRequest(completion, id), future), future);
        return future;
    }

    private void enqueue(Request request, CompletableFuture<?> future) {
        if (closing) {
            future.completeExceptionally(new StoreUnavailableException("store is closed", null));
            return;
        }
        waiting.add(request);
        // close() may have drained the queue between the check and the add: then nobody would answer.
        if (closing && waiting.remove(request)) {
            future.completeExceptionally(new StoreUnavailableException("store is closed", null));
        }
    }

    private void commitLoop() {
        List<Request> group = new ArrayList<>(MAX_GROUP);
        while (true) {
            Request first;
            try {
                first = waiting.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return; // a crash in a test: what is waiting is abandoned, as a real crash would
            }
            if (first == null) {
                if (closing) {
                    return;
                }
                continue;
            }
            group.add(first);
            waiting.drainTo(group, MAX_GROUP - 1);
            try {
                commit(group);
            } catch (RuntimeException e) {
                if (closing) {
                    log.debug("group commit abandoned while the store stops: {}", e.toString());
                } else {
                    log.error("group commit failed unexpectedly", e);
                }
                group.forEach(r -> fail(r, e));
            }
            group.clear();
        }
    }

    private void commit(List<Request> group) {
        List<Send> sends = new ArrayList<>();
        List<Ack> acks = new ArrayList<>();
        for (Request r : group) {
            if (r instanceof Send s) {
                sends.add(s);
            } else {
                acks.add((Ack) r);
            }
        }
        List<SendBatch> stored;
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false); // the pool restores it
            try {
                stored = sends.isEmpty() ? List.of() : writes.insertAll(c, sends.stream().map(Send::batch).toList());
                if (!acks.isEmpty()) {
                    writes.ackAll(c, acks.stream().map(Ack::request).toList());
                }
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                log.debug("group of {} redone alone after {}", group.size(), e.toString());
                group.forEach(this::alone);
                return;
            }
            try {
                c.commit();
            } catch (SQLException e) {
                StoreUnavailableException failure = new StoreUnavailableException(
                        "PostgreSQL commit failed, outcome unknown: " + e.getMessage(), e);
                group.forEach(r -> fail(r, failure));
                return;
            }
        } catch (SQLException e) {
            // No connection: the group was never written, so redoing it alone is safe (and reports the outage).
            group.forEach(this::alone);
            return;
        }
        // By identity: a record's equals would compare every message of every batch.
        Set<SendBatch> storedBatches = Collections.newSetFromMap(new IdentityHashMap<>());
        storedBatches.addAll(stored);
        for (Send send : sends) {
            if (storedBatches.contains(send.batch())) {
                send.future().complete(outcomes(send.batch()));
            } else {
                alone(send);
            }
        }
        for (Ack ack : acks) {
            if (ack.request().done) {
                ack.future().complete(new Settlement(ack.request().queue, MessageState.SUCCEEDED));
            } else {
                alone(ack);
            }
        }
    }

    private static List<SendOutcome> outcomes(SendBatch batch) {
        List<SendOutcome> outcomes = new ArrayList<>(batch.messages().size());
        for (NewMessage m : batch.messages()) {
            outcomes.add(new SendOutcome(m.id(), MessageWrites.initialState(m, batch.now()), false));
        }
        return outcomes;
    }

    private void alone(Request r) {
        switch (r) {
            case Send s -> sendAlone.apply(s.batch()).whenComplete((v, e) -> settle(s.future(), v, e));
            case Ack a -> ackAlone.apply(a.request().completion).whenComplete((v, e) -> settle(a.future(), v, e));
        }
    }

    private static <T> void settle(CompletableFuture<T> future, T value, Throwable error) {
        if (error != null) {
            future.completeExceptionally(error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error);
        } else {
            future.complete(value);
        }
    }

    private static void fail(Request r, Throwable e) {
        switch (r) {
            case Send s -> s.future().completeExceptionally(e);
            case Ack a -> a.future().completeExceptionally(e);
        }
    }

    /** Stops taking requests, commits what is waiting, and waits for the committers. */
    @Override
    public void close() {
        closing = true;
        for (Thread committer : committers) {
            try {
                committer.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        // A request queued while the committers were finishing: it was not written.
        StoreUnavailableException closed = new StoreUnavailableException("store is closed", null);
        for (Request r; (r = waiting.poll()) != null; ) {
            fail(r, closed);
        }
    }

    /** Abandons what is waiting, as a crash would. */
    void crash() {
        closing = true;
        committers.forEach(Thread::interrupt);
    }
}
