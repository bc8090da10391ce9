package dev.postroom;

import dev.postroom.engine.EngineContext;
import dev.postroom.engine.SealedMatches;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Erasure: "forget customer 7". Removes every stored message, of any queue and state, that matches
 * a filter (its ordering key, header values, a payload field), after a preview that counts them and
 * shows a few ids. Get it from {@link Postroom#erasures()}.
 * <pre>{@code
 * ErasurePreview preview = postroom.erasures().preview(ErasureFilter.orderingKey("customer-7"));
 * Erasure erasure = postroom.erasures().start(ErasureFilter.orderingKey("customer-7"), done -> audit(done));
 * }</pre>
 *
 * <p>An erasure runs in the background, a page of ids at a time, deleting each message as
 * {@link Postroom#delete} does (a message in flight too: its lease ends). Its progress is kept in
 * this process only (the last {@value #KEPT} erasures): the messages it deleted stay deleted after a
 * restart, and running it again finishes the rest. It keeps no copy of what it deleted.
 */
public final class Erasures {
    /** How many erasures this process remembers. */
    public static final int KEPT = 100;
    private static final int PAGE = 500;
    private static final int SAMPLE = 10;

    private final EngineContext engine;
    private final Map<String, Erasure> erasures = new LinkedHashMap<>();

    Erasures(EngineContext engine) {
        this.engine = engine;
    }

    /**
     * Counts what {@code filter} matches now and lists the oldest few, changing nothing.
     *
     * @throws InvalidMessageException for a filter with no condition or a bad one (the field is named)
     */
    public ErasurePreview preview(ErasureFilter filter) {
        engine.requireOpen();
        filter.validate();
        List<String> sealed = SealedMatches.ids(engine, filter, Integer.MAX_VALUE);
        List<String> sample = new java.util.ArrayList<>(engine.store().idsMatching(filter, SAMPLE));
        sealed.stream().limit(Math.max(0, SAMPLE - sample.size())).forEach(sample::add);
        return new ErasurePreview(engine.store().countMatching(filter) + sealed.size(), sample);
    }

    /**
     * Starts erasing what {@code filter} matches, in the background; {@code ended} hears of the
     * erasure once it ended (to audit it, say). Returns it as it starts.
     *
     * @throws InvalidMessageException for a filter with no condition or a bad one (the field is named)
     */
    public Erasure start(ErasureFilter filter, Consumer<Erasure> ended) {
        engine.requireOpen();
        filter.validate();
        long matched = engine.store().countMatching(filter) + SealedMatches.ids(engine, filter, Integer.MAX_VALUE).size();
        Erasure erasure = new Erasure(engine.ids().next(), filter, Erasure.State.RUNNING, matched, 0, engine.clock().instant(), null, null);
        remember(erasure);
        CompletableFuture.runAsync(() -> run(erasure, ended), engine.handlerExecutor());
        return erasure;
    }

    /** The erasure, if this process remembers it. */
    public Optional<Erasure> get(String id) {
        synchronized (erasures) {
            return Optional.ofNullable(erasures.get(id));
        }
    }

    /** The erasures this process remembers, newest first. */
    public List<Erasure> list() {
        synchronized (erasures) {
            return List.copyOf(erasures.values()).reversed();
        }
    }

    private void run(Erasure started, Consumer<Erasure> ended) {
        long erased = 0;
        Erasure end;
        try {
            List<String> ids;
            while (!(ids = engine.store().idsMatching(started.filter(), PAGE)).isEmpty()) {
                for (String id : ids) {
                    if (Futures.join(engine.store().delete(id, null))) {
                        erased++;
                    }
                }
                remember(with(started, Erasure.State.RUNNING, erased, null, null));
            }
            // Encrypted payloads the store's SQL could not look into.
            while (!(ids = SealedMatches.ids(engine, started.filter(), PAGE)).isEmpty()) {
                long before = erased;
                for (String id : ids) {
                    if (Futures.join(engine.store().delete(id, null))) {
                        erased++;
                    }
                }
                remember(with(started, Erasure.State.RUNNING, erased, null, null));
                if (erased == before) {
                    break; // none of them could be deleted: do not loop on them
                }
            }
            end = with(started, Erasure.State.SUCCEEDED, erased, engine.clock().instant(), null);
        } catch (RuntimeException e) {
            end = with(started, Erasure.State.FAILED, erased, engine.clock().instant(), e.getMessage() == null ? e.toString() : e.getMessage());
        }
        engine.signals().changedAll();
        try {
            if (ended != null) {
                ended.accept(end); // before it shows as ended, so that whoever waits for the end finds it audited
            }
        } finally {
            remember(end);
        }
    }

    private static Erasure with(Erasure e, Erasure.State state, long erased, Instant endedAt, String error) {
        return new Erasure(e.id(), e.filter(), state, e.matched(), erased, e.startedAt(), endedAt, error);
    }

    private void remember(Erasure erasure) {
        synchronized (erasures) {
            erasures.put(erasure.id(), erasure);
            while (erasures.size() > KEPT) {
                erasures.remove(erasures.keySet().iterator().next());
            }
        }
    }
}
