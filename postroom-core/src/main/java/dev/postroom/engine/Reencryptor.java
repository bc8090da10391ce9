package dev.postroom.engine;

import dev.postroom.Futures;
import dev.postroom.Message;
import dev.postroom.MessagePage;
import dev.postroom.MessageQuery;
import dev.postroom.MessageSummary;
import dev.postroom.Reencryption;
import dev.postroom.store.BodyRewrite;
import dev.postroom.store.MessageStore;
import dev.postroom.store.StoredQueue;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Rewrites stored payloads and results so that each is as its queue's policy and the keys say
 * now: sealed with the encrypting key when the queue is encrypted (plain ones included, and ones
 * sealed with an older key), and sealed ones of queues no longer encrypted re-sealed too, so that
 * an old key can then be dropped. Live messages and archived ones, page by page, newest first,
 * each rewritten only if nothing changed it since it was read.
 */
public final class Reencryptor {
    private static final int PAGE = 200;

    private final MessageStore store;
    private final QueueCatalog catalog;
    private final Sealing sealing;

    public Reencryptor(MessageStore store, QueueCatalog catalog, Sealing sealing) {
        this.store = store;
        this.catalog = catalog;
        this.sealing = sealing;
    }

    public Reencryption run(Consumer<Reencryption> progress) {
        String primary = sealing.keys().orElseThrow(() -> new dev.postroom.EncryptionKeyException(
                "no encryption key is configured: there is nothing to re-encrypt with")).primaryId();
        catalog.refresh();
        Counts counts = new Counts();
        for (StoredQueue queue : catalog.all()) {
            boolean encrypted = queue.policy().encrypted();
            MessageQuery first = MessageQuery.builder().queue(queue.name()).limit(PAGE).build();
            walk(first, store::browse, store::get, store::rewriteBodies, encrypted, primary, counts, progress);
            walk(first, store.archive()::browse, store.archive()::get, store.archive()::rewriteBodies, encrypted, primary, counts, progress);
        }
        return counts.now();
    }

    /** The counts so far, across live and archived messages. */
    private static final class Counts {
        long examined;
        long rewritten;
        long skipped;

        Reencryption now() {
            return new Reencryption(examined, rewritten, skipped);
        }
    }

    private void walk(MessageQuery first, Function<MessageQuery, MessagePage> browse, Function<String, Optional<Message>> get,
                      Function<BodyRewrite, CompletableFuture<Boolean>> rewrite, boolean encrypted, String primary, Counts counts,
                      Consumer<Reencryption> progress) {
        MessageQuery query = first;
        while (query != null) {
            MessagePage page = browse.apply(query);
            for (MessageSummary summary : page.messages()) {
                counts.examined++;
                if (!encrypted && !Sealing.isSealed(summary.payloadPreview()) && summary.state() != dev.postroom.MessageState.SUCCEEDED) {
                    continue; // plain, and without a result that the queue's policy at the time may have sealed
                }
                Message message = get.apply(summary.id()).orElse(null);
                if (message == null) {
                    continue;
                }
                String payload = current(message.payloadJson(), encrypted, primary);
                String result = current(message.resultJson(), encrypted, primary);
                if (Objects.equals(payload, message.payloadJson()) && Objects.equals(result, message.resultJson())) {
                    continue;
                }
                if (Futures.join(rewrite.apply(new BodyRewrite(message.id(), message.payloadJson(), payload, message.resultJson(), result)))) {
                    counts.rewritten++;
                } else {
                    counts.skipped++;
                }
            }
            progress.accept(counts.now());
            query = page.next() == null ? null : query.withAfter(page.next());
        }
    }

    /**
     * The text as its queue keeps it now: sealed with the encrypting key on an encrypted queue (a
     * plain one sealed, one under another key re-sealed); on a plain queue, plain text stays as it
     * is and only what an earlier policy sealed is re-sealed, so that the old key can go.
     */
    private String current(String text, boolean encrypted, String primary) {
        if (text == null || (!encrypted && !Sealing.isSealed(text))) {
            return text;
        }
        if (Sealing.isSealed(text) && Sealing.keyId(text).equals(primary)) {
            return text;
        }
        return sealing.seal(sealing.open(text));
    }
}
