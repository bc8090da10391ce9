package dev.postroom.engine;

import dev.postroom.store.MessageStore;

import java.time.InstantSource;
import java.util.concurrent.Executor;

/**
 * What the engine's parts share: the store, time, this node's name, wake-ups, the handler executor
 * and trace propagation.
 */
public record EngineContext(
        MessageStore store,
        InstantSource clock,
        String node,
        QueueSignals signals,
        QueueCatalog catalog,
        PayloadCodec codec,
        RetrySchedule retries,
        RunningDeliveries running,
        Executor handlerExecutor,
        dev.postroom.MessageListener listener,
        Tracing tracing) {
}
