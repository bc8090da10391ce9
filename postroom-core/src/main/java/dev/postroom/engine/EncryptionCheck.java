package dev.postroom.engine;

import dev.postroom.EncryptionKeyException;
import dev.postroom.MessagePage;
import dev.postroom.MessageQuery;
import dev.postroom.MessageSummary;
import dev.postroom.store.MessageStore;
import dev.postroom.store.StoredQueue;

/**
 * Refuses to start with keys that cannot serve the stored data, so that a missing or wrong key is
 * one clear error at start rather than failures (or worse, unreadable messages) later.
 */
public final class EncryptionCheck {
    /** How many of each queue's newest messages are opened at start. */
    static final int SAMPLE = 20;

    private EncryptionCheck() {
    }

    /**
     * @throws EncryptionKeyException when a queue is encrypted and no key is configured, or one of
     *                                each queue's newest encrypted messages does not open with the keys
     */
    public static void atStart(MessageStore store, QueueCatalog catalog, Sealing sealing) {
        for (StoredQueue queue : catalog.all()) {
            if (queue.policy().encrypted() && !sealing.hasKeys()) {
                throw new EncryptionKeyException("queue '" + queue.name() + "' is encrypted and no encryption key is configured");
            }
            MessagePage newest = store.browse(MessageQuery.builder().queue(queue.name()).limit(SAMPLE).build());
            for (MessageSummary summary : newest.messages()) {
                if (Sealing.isSealed(summary.payloadPreview())) {
                    store.get(summary.id()).ifPresent(m -> {
                        try {
                            sealing.open(m);
                        } catch (EncryptionKeyException e) {
                            throw new EncryptionKeyException("message " + m.id() + " of queue '" + queue.name()
                                    + "' cannot be read: " + e.getMessage(), e);
                        }
                    });
                }
            }
        }
    }
}
