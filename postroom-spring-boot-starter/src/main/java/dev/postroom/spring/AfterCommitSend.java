package dev.postroom.spring;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A send held until the surrounding Spring transaction commits, for a store that cannot write in
 * that transaction: made after the commit, dropped on a rollback. Its future completes then, so
 * waiting for it inside the transaction could never end; {@link #join()} and {@link #get()} refuse
 * to, instead of hanging.
 */
final class AfterCommitSend<T> extends CompletableFuture<T> implements TransactionSynchronization {
    private final Supplier<CompletableFuture<T>> send;
    private final String queue;
    private volatile boolean awaitingCommit = true;

    private AfterCommitSend(Supplier<CompletableFuture<T>> send, String queue) {
        this.send = send;
        this.queue = queue;
    }

    /** Registers {@code send} to run when the current transaction commits. */
    static <T> CompletableFuture<T> register(Supplier<CompletableFuture<T>> send, String queue) {
        AfterCommitSend<T> future = new AfterCommitSend<>(send, queue);
        TransactionSynchronizationManager.registerSynchronization(future);
        return future;
    }

    @Override
    public void afterCompletion(int status) {
        awaitingCommit = false;
        if (status != STATUS_COMMITTED) {
            completeExceptionally(new SendRolledBackException(queue));
            return;
        }
        try {
            send.get().whenComplete((value, error) -> {
                if (error != null) {
                    completeExceptionally(error);
                } else {
                    complete(value);
                }
            });
        } catch (RuntimeException e) {
            completeExceptionally(e);
        }
    }

    private void refuseToWaitForOwnCommit() {
        if (awaitingCommit && !isDone()) {
            throw new IllegalStateException("this send to queue " + queue + " is made when the transaction commits; "
                    + "waiting for it inside the transaction would never end: wait after the transactional method returns");
        }
    }

    @Override
    public T join() {
        refuseToWaitForOwnCommit();
        return super.join();
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        refuseToWaitForOwnCommit();
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        refuseToWaitForOwnCommit();
        return super.get(timeout, unit);
    }
}
