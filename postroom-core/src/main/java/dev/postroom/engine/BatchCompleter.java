package dev.postroom.engine;

import dev.postroom.Batches;
import dev.postroom.Futures;
import dev.postroom.MessageState;
import dev.postroom.RawJson;
import dev.postroom.SendOptions;
import dev.postroom.store.BatchCompletionPass;
import dev.postroom.store.CompletedBatch;
import dev.postroom.store.NewMessage;
import dev.postroom.store.OnComplete;
import dev.postroom.store.StoredBatch;
import dev.postroom.store.StoredQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The maintenance step that completes batches whose members have all ended, sending each one's
 * completion message (see {@link dev.postroom.Batches}). The store decides which batches are done
 * and marks them in the transaction that stores the message, so a batch completes once however
 * many nodes run this step; this class only builds the message: the payload given at send, the
 * headers given then, and the {@code postroom-batch-*} headers with the final counts.
 */
public final class BatchCompleter {
    private static final Logger log = LoggerFactory.getLogger(BatchCompleter.class);


    /** Batches per pass: one transaction each pass, kept short; a backlog drains over a few passes (250 ms apart by default). */
    private static final int PER_PASS = 100;
    /** A completed batch is kept this long at least, and for as long as any member is stored. */
    public static final Duration KEPT_AFTER_COMPLETION = Duration.ofDays(1);

    private final EngineContext engine;
    private final MessageFactory factory;

    public BatchCompleter(EngineContext engine, MessageFactory factory) {
        this.engine = engine;
        this.factory = factory;
    }

    /** Completes the batches that are done; returns how many. */
    public int run(Instant now) {
        List<CompletedBatch> completed = Futures.join(engine.store().batches().complete(
                new BatchCompletionPass(now, engine.node(), PER_PASS, batch -> completionMessage(batch, now))));
        for (CompletedBatch batch : completed) {
            if (batch.messageId() != null) {
                engine.signals().changed(batch.queue());
                engine.listener().sent(batch.queue(), batch.messageId(), MessageState.READY, false);
            }
            log.info("batch completed batchId={} completionMessageId={} queue={}", batch.batchId(),
                    batch.messageId() == null ? "-" : batch.messageId(), batch.queue() == null ? "-" : batch.queue());
        }
        return completed.size();
    }

    /** Forgets completed batches with no member left; returns how many. */
    public int forget(Instant now) {
        return Futures.join(engine.store().batches().forget(now.minus(KEPT_AFTER_COMPLETION)));
    }

    /**
     * The completion message of {@code batch}, or null to complete it without one: when none was
     * asked for, or the message can no longer be sent (its queue was deleted since, or the limits
     * shrank below it). Refusing instead would leave the batch to fail every pass, forever.
     */
    private NewMessage completionMessage(StoredBatch batch, Instant now) {
        OnComplete onComplete = batch.onComplete();
        if (onComplete == null) {
            return null;
        }
        Optional<StoredQueue> target = engine.catalog().find(onComplete.queue());
        if (target.isEmpty()) {
            log.warn("batch completed without its completion message: queue gone batchId={} queue={}", batch.id(), onComplete.queue());
            return null;
        }
        Map<String, String> headers = new LinkedHashMap<>(onComplete.headers());
        headers.put(Batches.ID_HEADER, batch.id());
        headers.put(Batches.TOTAL_HEADER, Integer.toString(batch.total()));
        headers.put(Batches.SUCCEEDED_HEADER, Long.toString(batch.counts().succeeded()));
        headers.put(Batches.FAILED_HEADER, Long.toString(batch.counts().failed()));
        headers.put(Batches.CANCELLED_HEADER, Long.toString(batch.counts().cancelled()));
        headers.put(Batches.DELETED_HEADER, Long.toString(Math.max(0, batch.total() - batch.counts().stored())));
        try {
            return factory.create(onComplete.queue(), target.get().policy(), new RawJson(engine.sealing().open(onComplete.payloadJson())),
                    SendOptions.builder().headers(headers).build(), now, "onComplete.");
        } catch (RuntimeException e) {
            // Validated at send; only shrunken limits (or a bug) get here. Throwing would fail this
            // pass, and the next, for ever; on the embedded store, with the writes grouped with it.
            log.warn("batch completed without its completion message batchId={} queue={} error={}", batch.id(),
                    onComplete.queue(), e.toString());
            return null;
        }
    }
}
