package dev.postroom.engine;

import dev.postroom.MessageListener;
import dev.postroom.store.MessageIds;
import dev.postroom.Limits;
import dev.postroom.store.MessageStore;

import java.time.InstantSource;
import java.util.concurrent.Executor;

/**
 * What the engine's parts and the API's facades ({@code Topics}, {@code Batches}, {@code Schedules})
 * share: the store, time, this node's name, limits, message making, wake-ups, the handler executor,
 * how handler failures are retried, and trace propagation. One context, so that every part is wired the same way.
 */
public record EngineContext(
        MessageStore store,
        InstantSource clock,
        String node,
        QueueSignals signals,
        QueueCatalog catalog,
        JsonCodec codec,
        RetrySchedule retries,
        HandlerFailures failures,
        RunningDeliveries running,
        Executor handlerExecutor,
        MessageListener listener,
        Tracing tracing,
        Limits limits,
        MessageFactory factory,
        Sealing sealing,
        MessageIds ids,
        Runnable checkOpen) {

    /** Throws when the Postroom these parts belong to is closed. */
    public void requireOpen() {
        checkOpen.run();
    }
}
