package dev.postroom;

import dev.postroom.engine.EngineContext;
import dev.postroom.engine.Sealing;
import dev.postroom.store.MessageStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Replays: finished messages — live or {@linkplain Archive archived} — sent again as new messages,
 * "every refund that succeeded between 10:00 and 10:40 yesterday". A {@link #preview} counts and
 * samples what a filter selects and changes nothing; {@link #start} sends copies in the background,
 * oldest first, each with its original's payload, headers and ordering key, a header
 * {@value #REPLAY_OF_HEADER} naming the original, and an idempotency key of the replay and the
 * original, so a copy is never sent twice by one replay. Progress is kept in memory, the last
 * {@value #KEPT} replays, until the process ends.
 */
public final class Replays {
    /** The header naming the message a copy replays. */
    public static final String REPLAY_OF_HEADER = "postroom-replay-of";
    /** The most messages one replay may send: a larger set is refused, to be narrowed. */
    public static final int MAX_MESSAGES = 100_000;
    /** How many replays are remembered. */
    public static final int KEPT = 100;
    private static final int PAGE = 500;
    private static final int SAMPLE = 10;
    /** Headers that tie a message to one run of something else: a copy starts afresh. */
    private static final List<String> NOT_COPIED_PREFIXES = List.of("traceparent", "tracestate", Workflows.HEADER_PREFIX,
            Batches.HEADER_PREFIX, REPLAY_OF_HEADER);

    private final Postroom postroom;
    private final EngineContext engine;
    private final Map<String, Replay> replays = new LinkedHashMap<>();

    Replays(Postroom postroom, EngineContext engine) {
        this.postroom = postroom;
        this.engine = engine;
    }

    /**
     * How many messages {@code filter} selects, and the oldest few ids. Changes nothing.
     *
     * @throws InvalidMessageException for a bad filter, or one that selects more than {@value #MAX_MESSAGES}
     */
    public ReplayPreview preview(ReplayFilter filter) {
        engine.requireOpen();
        TreeMap<String, Boolean> matches = matches(filter);
        return new ReplayPreview(matches.size(), matches.keySet().stream().limit(SAMPLE).toList());
    }

    /**
     * Starts sending copies of what {@code filter} selects to {@code toQueue} (null: the filter's
     * queue), in the background, oldest first.
     *
     * @param ended hears the replay once it has ended (audit it there), before {@link #get} shows it ended
     * @throws InvalidMessageException  for a bad filter, or one that selects more than {@value #MAX_MESSAGES}
     * @throws QueueNotFoundException   when the target queue does not exist
     */
    public Replay start(ReplayFilter filter, String toQueue, Consumer<Replay> ended) {
        engine.requireOpen();
        filter.validate();
        String target = toQueue == null ? filter.queue() : toQueue;
        engine.catalog().require(target);
        TreeMap<String, Boolean> matches = matches(filter);
        Replay replay = new Replay(engine.ids().next(), filter, target, Replay.State.RUNNING, matches.size(), 0,
                engine.clock().instant(), null, null);
        remember(replay);
        engine.handlerExecutor().execute(() -> run(replay, matches, ended));
        return replay;
    }

    public Optional<Replay> get(String id) {
        synchronized (replays) {
            return Optional.ofNullable(replays.get(id));
        }
    }

    /** The remembered replays, newest first. */
    public List<Replay> list() {
        synchronized (replays) {
            return List.copyOf(replays.values()).reversed();
        }
    }

    /**
     * Every match's id, oldest first, with whether it is archived. Free text is searched by the
     * store in plain payloads and here in encrypted ones, whose stored text is ciphertext.
     */
    private TreeMap<String, Boolean> matches(ReplayFilter filter) {
        filter.validate();
        dev.postroom.engine.QueryValidator.validate(filter.query(null, PAGE), engine.limits());
        TreeMap<String, Boolean> matches = new TreeMap<>();
        MessageStore store = engine.store();
        for (MessageState state : filter.states()) {
            for (boolean archived : new boolean[]{false, true}) {
                Function<MessageQuery, MessagePage> browse = archived ? store.archive()::browse : store::browse;
                Function<String, Optional<Message>> get = archived ? store.archive()::get : store::get;
                if (filter.text() == null) {
                    collect(filter.query(state, PAGE), browse, summary -> true, archived, matches);
                    continue;
                }
                // The store's search would match the ciphertext of encrypted payloads by chance: those are searched opened.
                collect(filter.query(state, PAGE), browse, summary -> !Sealing.isSealed(summary.payloadPreview()), archived, matches);
                if (engine.sealing().hasKeys()) {
                    String text = filter.text().toLowerCase(Locale.ROOT);
                    collect(filter.withText(null).query(state, PAGE), browse, summary -> Sealing.isSealed(summary.payloadPreview())
                            && get.apply(summary.id()).map(m -> contains(m, text)).orElse(false), archived, matches);
                }
            }
        }
        return matches;
    }

    private static void collect(MessageQuery first, Function<MessageQuery, MessagePage> browse, Predicate<MessageSummary> keep,
                                boolean archived, TreeMap<String, Boolean> matches) {
        MessageQuery page = first;
        while (page != null) {
            MessagePage found = browse.apply(page);
            for (MessageSummary summary : found.messages()) {
                if (keep.test(summary)) {
                    matches.put(summary.id(), archived);
                    if (matches.size() > MAX_MESSAGES) {
                        throw new InvalidMessageException("filter", "selects more than " + MAX_MESSAGES
                                + " messages; narrow it (since and until, state, text, orderingKey) and replay in parts");
                    }
                }
            }
            page = found.next() == null ? null : page.withAfter(found.next());
        }
    }

    /** Whether the opened payload or the headers contain {@code lowerCaseText}, as the stores' free text search does. */
    private boolean contains(Message message, String lowerCaseText) {
        String payload = engine.sealing().open(message.payloadJson());
        return payload.toLowerCase(Locale.ROOT).contains(lowerCaseText)
                || message.headers().toString().toLowerCase(Locale.ROOT).contains(lowerCaseText);
    }

    private void run(Replay started, TreeMap<String, Boolean> matches, Consumer<Replay> ended) {
        long replayed = 0;
        Replay end;
        try {
            for (Map.Entry<String, Boolean> match : matches.entrySet()) {
                // Read now, whichever side it is on: retention may have archived it since it was listed.
                Optional<Message> original = postroom.get(match.getKey()).or(() -> postroom.archive().get(match.getKey()));
                if (original.isEmpty() || !original.get().state().isFinal()) {
                    continue; // erased, past its archive time or retried meanwhile: only what is finished is replayed
                }
                Futures.join(postroom.send(started.toQueue(), new RawJson(original.get().payloadJson()), copyOptions(started, original.get())));
                replayed++;
                if (replayed % 100 == 0) {
                    remember(with(started, Replay.State.RUNNING, replayed, null, null));
                }
            }
            end = with(started, Replay.State.SUCCEEDED, replayed, engine.clock().instant(), null);
        } catch (RuntimeException e) {
            end = with(started, Replay.State.FAILED, replayed, engine.clock().instant(), e.getMessage() == null ? e.toString() : e.getMessage());
        }
        try {
            if (ended != null) {
                ended.accept(end);
            }
        } finally {
            remember(end);
        }
    }

    private static SendOptions copyOptions(Replay replay, Message original) {
        Map<String, String> headers = new LinkedHashMap<>();
        original.headers().forEach((name, value) -> {
            if (NOT_COPIED_PREFIXES.stream().noneMatch(name::startsWith)) {
                headers.put(name, value);
            }
        });
        headers.put(REPLAY_OF_HEADER, original.id());
        return SendOptions.builder().headers(headers).priority(original.priority()).orderingKey(original.orderingKey())
                .idempotencyKey("replay-" + replay.id() + "-" + original.id()).build();
    }

    private static Replay with(Replay r, Replay.State state, long replayed, Instant endedAt, String error) {
        return new Replay(r.id(), r.filter(), r.toQueue(), state, r.matched(), replayed, r.startedAt(), endedAt, error);
    }

    private void remember(Replay replay) {
        synchronized (replays) {
            replays.put(replay.id(), replay);
            while (replays.size() > KEPT) {
                replays.remove(replays.keySet().iterator().next());
            }
        }
    }
}
