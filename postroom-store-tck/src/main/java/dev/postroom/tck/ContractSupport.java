package dev.postroom.tck;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.OutgoingMessage;
import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import dev.postroom.RawJson;
import dev.postroom.ReceiveOptions;
import dev.postroom.ReceivedMessage;
import dev.postroom.SendOptions;
import dev.postroom.SendResult;
import dev.postroom.StateCounts;
import dev.postroom.Futures;
import dev.postroom.store.MessageStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every contract shares: a store opened through the subclass's {@link StoreFixture}, a
 * {@link Postroom} on it driven by a {@link FakeClock} with background maintenance off (tests call
 * {@code postroom.runMaintenance()} after {@code clock.advance(...)}), helpers that send and receive
 * while remembering every id sent, and {@link StoreInvariants} checked after each test.
 *
 * <p>The {@code Postroom} is built with {@code closeStore(false)}: the suite closes the store itself,
 * after the invariants were checked on a store nothing else is touching any more.
 *
 * <p>Randomness (retry jitter, randomized contracts) comes from {@link #seed}: the system property
 * {@code postroom.seed} if set, else a random one; a failing test prints it so the run can be
 * replayed with {@code -Dpostroom.seed=...}.
 */
public abstract class ContractSupport {
    /** The node name every Postroom of the suite runs as; timelines must carry it. */
    protected static final String NODE = "tck-node";
    /** Where the fake clock starts. */
    protected static final Instant START = FakeClock.START;

    /** The seed of this test's randomness. */
    protected final long seed = chooseSeed();
    /** The time every Postroom of this test sees (unless a contract configures another). */
    protected final FakeClock clock = new FakeClock();

    /** The fixture of this test, from {@link #fixture()}. */
    protected StoreFixture fixture;
    /** The store currently open. */
    protected MessageStore store;
    /** The Postroom on {@link #store}. */
    protected Postroom postroom;

    private final Set<String> knownIds = ConcurrentHashMap.newKeySet();
    private UnaryOperator<Postroom.Builder> tweak = UnaryOperator.identity();

    @RegisterExtension
    final TestWatcher seedReporter = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            System.err.printf("[postroom-tck] %s#%s failed; replay with -Dpostroom.seed=%d%n",
                    context.getRequiredTestClass().getSimpleName(), context.getDisplayName(), seed);
        }
    };

    /** The fixture for the store under test; called once per test, before anything else. */
    protected abstract StoreFixture fixture();

    /**
     * Adjusts the builder of every Postroom this test builds (including after a restart). The
     * default leaves the suite's settings: fake clock, no maintenance timer, seeded jitter, node
     * {@value #NODE}.
     */
    protected Postroom.Builder configure(Postroom.Builder builder) {
        return builder;
    }

    @BeforeEach
    final void openStoreAndPostroom() {
        fixture = Objects.requireNonNull(fixture(), "fixture() returned null");
        store = Objects.requireNonNull(fixture.open(), "fixture.open() returned null");
        postroom = newPostroom(store);
    }

    @AfterEach
    final void closeAndCheckInvariants() {
        try {
            if (postroom != null) {
                postroom.close();
            }
            if (store != null) {
                StoreInvariants.check(store, knownIds);
            }
        } finally {
            try {
                if (store != null) {
                    store.close();
                }
            } finally {
                if (fixture != null) {
                    fixture.cleanup();
                }
            }
        }
    }

    private Postroom newPostroom(MessageStore target) {
        Postroom.Builder builder = Postroom.builder()
                .store(target)
                .closeStore(false)
                .clock(clock)
                .maintenanceInterval(null)
                .random(new Random(seed))
                .node(NODE);
        return tweak.apply(configure(builder)).build();
    }

    private static long chooseSeed() {
        Long fixed = Long.getLong("postroom.seed");
        return fixed != null ? fixed : ThreadLocalRandom.current().nextLong();
    }

    // ---------------------------------------------------------------- restarts

    /** Closes the Postroom and the store cleanly, then reopens the store through the fixture. */
    protected void restart() {
        postroom.close();
        MessageStore closing = store;
        store = null;
        closing.close();
        reopen();
    }

    /** Crashes the store ({@link StoreFixture#crash}) and reopens it through the fixture. */
    protected void crashAndReopen() {
        crash();
        reopen();
    }

    /**
     * Crashes the store without reopening it: the Postroom on it is closed (it does not own the
     * store) and {@link #store} is null until {@link #reopen()}.
     */
    protected void crash() {
        MessageStore crashing = store;
        store = null;
        fixture.crash(crashing);
        postroom.close();
    }

    /** Opens the fixture's store again and builds a new Postroom on it. */
    protected void reopen() {
        store = Objects.requireNonNull(fixture.open(), "fixture.open() returned null");
        postroom = newPostroom(store);
    }

    /**
     * Replaces the Postroom (the store stays open) with one whose builder also goes through
     * {@code change}, e.g. smaller {@link dev.postroom.Limits}; kept for later restarts.
     */
    protected void rebuild(UnaryOperator<Postroom.Builder> change) {
        postroom.close();
        tweak = change;
        postroom = newPostroom(store);
    }

    // ---------------------------------------------------------------- sending

    /** Creates {@code queue} with {@link QueuePolicy#DEFAULT}. */
    protected void createQueue(String queue) {
        postroom.createQueue(queue, QueuePolicy.DEFAULT);
    }

    protected void createQueue(String queue, QueuePolicy policy) {
        postroom.createQueue(queue, policy);
    }

    /** Sends and waits until the send is durable; remembers the id. */
    protected SendResult send(String queue, Object payload) {
        return send(queue, payload, SendOptions.DEFAULTS);
    }

    /** Sends and waits until the send is durable; remembers the id. */
    protected SendResult send(String queue, Object payload, SendOptions options) {
        SendResult result = Futures.join(postroom.send(queue, payload, options));
        knownIds.add(result.id());
        return result;
    }

    /** Sends a batch and waits until it is durable; remembers the ids. */
    protected List<SendResult> sendBatch(String queue, List<OutgoingMessage> messages) {
        List<SendResult> results = Futures.join(postroom.sendBatch(queue, messages));
        results.forEach(r -> knownIds.add(r.id()));
        return results;
    }

    /** Sends without waiting; the id is remembered once the send completes. */
    protected CompletableFuture<SendResult> sendAsync(String queue, Object payload) {
        return postroom.send(queue, payload).whenComplete((r, e) -> {
            if (r != null) {
                knownIds.add(r.id());
            }
        });
    }

    /** Sends a payload with default options; returns its id. */
    protected String sendId(String queue, Object payload) {
        return send(queue, payload).id();
    }

    /** Remembers ids sent some other way, so that the invariants count them. */
    protected void track(Collection<String> ids) {
        knownIds.addAll(ids);
    }

    /** Every id sent through the helpers (or tracked) so far. */
    protected Set<String> knownIds() {
        return Set.copyOf(knownIds);
    }

    // ---------------------------------------------------------------- receiving

    /** Leases up to {@code max} messages without waiting, with the queue's lease. */
    protected List<ReceivedMessage> receive(String queue, int max) {
        return receive(queue, max, null);
    }

    /** Leases up to {@code max} messages without waiting, with {@code lease} (null: the queue's). */
    protected List<ReceivedMessage> receive(String queue, int max, Duration lease) {
        try {
            return postroom.receive(queue, new ReceiveOptions(max, Duration.ZERO, lease));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while receiving from " + queue, e);
        }
    }

    /** Leases exactly one message; fails if none is deliverable. */
    protected ReceivedMessage receiveOne(String queue) {
        List<ReceivedMessage> received = receive(queue, 1);
        assertThat(received).as("messages received from %s at %s", queue, clock.instant()).hasSize(1);
        return received.getFirst();
    }

    /** Asserts that nothing is deliverable from {@code queue} now. */
    protected void assertNothingToReceive(String queue) {
        assertThat(receive(queue, 100)).as("messages received from %s at %s", queue, clock.instant()).isEmpty();
    }

    /** Leases one message and acks it; returns it. */
    protected ReceivedMessage receiveAndAck(String queue) {
        ReceivedMessage received = receiveOne(queue);
        postroom.ack(received.id(), received.leaseId(), null);
        return received;
    }

    /** Leases the next message (which must be {@code id}) and fails its attempt; returns the new state. */
    protected MessageState receiveAndNack(String queue, String id) {
        ReceivedMessage received = receiveOne(queue);
        assertThat(received.id()).as("message received from %s", queue).isEqualTo(id);
        return postroom.nack(received.id(), received.leaseId(), "failed on purpose", null, null);
    }

    // ---------------------------------------------------------------- reading

    /** The message, which must exist. */
    protected Message message(String id) {
        return postroom.get(id).orElseThrow(() -> new AssertionError("message " + id + " not found"));
    }

    protected MessageState stateOf(String id) {
        return message(id).state();
    }

    /** The ids of {@code received}, in order. */
    protected static List<String> ids(Collection<ReceivedMessage> received) {
        return received.stream().map(ReceivedMessage::id).toList();
    }

    /** The ids of {@code results}, in order. */
    protected static List<String> sentIds(Collection<SendResult> results) {
        return results.stream().map(SendResult::id).toList();
    }

    /** Asserts that {@code queue} holds no message in any state. */
    protected void assertQueueHoldsNothing(String queue) {
        assertThat(store.counts().getOrDefault(queue, StateCounts.EMPTY)).as("counts of %s", queue).isEqualTo(StateCounts.EMPTY);
    }

    /** The queue's per-state counts as the store reports them. */
    protected StateCounts counts(String queue) {
        return store.counts().getOrDefault(queue, StateCounts.EMPTY);
    }

    /**
     * Asserts that {@code actualJson} is the JSON of {@code expected} (an object Jackson can
     * serialise, or {@link RawJson}), comparing trees so that key order and spacing, which a store
     * may normalise (PostgreSQL {@code jsonb} does), do not matter.
     */
    protected void assertSameJson(String actualJson, Object expected) {
        ObjectMapper mapper = postroom.json();
        try {
            JsonNode actual = mapper.readTree(actualJson);
            String expectedText = expected instanceof RawJson raw ? raw.json() : mapper.writeValueAsString(expected);
            assertThat(actual).as("JSON %s", actualJson).isEqualTo(mapper.readTree(expectedText));
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + actualJson, e);
        }
    }

    /** A well-formed message id (UUIDv7) that no store holds: its time is a century after {@link #START}. */
    protected static String unknownId() {
        long millis = START.plus(Duration.ofDays(36_500)).toEpochMilli();
        long msb = (millis << 16) | 0x7000L;
        long lsb = 0x8000_0000_0000_0000L | 0x1234_5678L;
        return new UUID(msb, lsb).toString();
    }
}
