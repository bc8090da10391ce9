package dev.postroom.engine;

import dev.postroom.GiveUpException;
import dev.postroom.RetryLaterException;

import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Reads what a handler's exception asks for: a retry after the queue's backoff (most), a retry
 * after a delay of its own ({@link RetryLaterException}), or none at all ({@link GiveUpException}
 * and the configured non-retryable types). The exception's causes are read too, nearest first, so
 * that a signal wrapped by a framework still counts.
 */
public final class HandlerFailures {
    private final List<Class<? extends Throwable>> nonRetryable;

    public HandlerFailures(List<Class<? extends Throwable>> nonRetryable) {
        this.nonRetryable = List.copyOf(nonRetryable);
    }

    /**
     * What an attempt that threw {@code error} becomes.
     *
     * @param giveUp     DEAD now, whatever attempts are left
     * @param retryAfter the handler's own delay before the retry, or null for the backoff
     */
    public record Verdict(boolean giveUp, Duration retryAfter) {
        static final Verdict BACKOFF = new Verdict(false, null);
    }

    public Verdict judge(Throwable error) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof RetryLaterException later) {
                return new Verdict(false, later.delay());
            }
            if (t instanceof GiveUpException || isNonRetryable(t)) {
                return new Verdict(true, null);
            }
        }
        return Verdict.BACKOFF;
    }

    private boolean isNonRetryable(Throwable t) {
        for (Class<? extends Throwable> type : nonRetryable) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
