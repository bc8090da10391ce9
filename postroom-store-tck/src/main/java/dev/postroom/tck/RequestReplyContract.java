package dev.postroom.tck;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.postroom.Backoff;
import dev.postroom.Handler;
import dev.postroom.InvalidMessageException;
import dev.postroom.MessageFailedException;
import dev.postroom.MessageNotFoundException;
import dev.postroom.MessageQuery;
import dev.postroom.MessageSummary;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.PostroomException;
import dev.postroom.QueueNotFoundException;
import dev.postroom.QueuePolicy;
import dev.postroom.SendOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Request-reply end to end on a real store: {@link Postroom#request} completes with the handler's
 * result, fails with {@link MessageFailedException} when the message dies or is cancelled, and
 * forgets a waiter whose future the caller gave up on. One test hands the message to a second
 * Postroom on the same store, as another node would handle it: the requester hears nothing from
 * it and must notice the reply by reading the store.
 *
 * <p>Like {@link HandlerContract}, this runs the dispatcher and the maintenance timer for real on
 * the system clock, waits with generous timeouts and never asserts on how long anything took.
 */
public abstract class RequestReplyContract extends ContractSupport {
    private static final String QUEUE = "requests";
    /** Generous: a slow CI machine must not fail a correct store. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Backoff QUICK = new Backoff(Duration.ofMillis(20), Duration.ofMillis(50), 2.0);

    /** A typed request. */
    public record Quote(String sku, int quantity) {
    }

    /** A typed reply with a nested list, to check the result round-trips. */
    public record Price(String sku, long cents, List<String> notes) {
    }

    @Override
    protected Postroom.Builder configure(Postroom.Builder builder) {
        return builder.clock(InstantSource.system())
                .maintenanceInterval(Duration.ofMillis(50))
                .shutdownTimeout(Duration.ofSeconds(10));
    }

    /** Runs {@code handler} for {@link #QUEUE}, remembering every id it sees for the invariants. */
    private void handle(Handler<Quote> handler) {
        postroom.handle(QUEUE, Quote.class, delivery -> {
            track(List.of(delivery.id()));
            return handler.handle(delivery);
        });
    }

    /** Remembers every message of {@link #QUEUE} for the invariants (requests send without the helpers). */
    private void trackQueue() {
        track(postroom.browse(MessageQuery.builder().queue(QUEUE).limit(MessageQuery.MAX_LIMIT).build()).messages().stream()
                .map(MessageSummary::id).toList());
    }

    private static <T> T reply(CompletableFuture<T> future) {
        assertThat(future).succeedsWithin(PATIENCE);
        return future.join();
    }

    /** The cause the future failed with. */
    private static Throwable failure(CompletableFuture<?> future) {
        assertThat(future).failsWithin(PATIENCE);
        try {
            future.get();
            throw new AssertionError("future did not fail");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void requestCompletesWithTheHandlersResult() {
        createQueue(QUEUE);
        handle(delivery -> new Price(delivery.payload().sku(), 250L * delivery.payload().quantity(), List.of("list price")));

        Price price = reply(postroom.request(QUEUE, new Quote("mug", 4), Price.class));

        assertThat(price).isEqualTo(new Price("mug", 1000, List.of("list price")));
        await().atMost(PATIENCE).until(() -> postroom.pendingRequests() == 0);
    }

    @Test
    void resultOfAGenericTypeRoundTrips() {
        createQueue(QUEUE);
        handle(delivery -> List.of(new Price("a", 1, List.of()), new Price("b", 2, List.of("x", "y – z"))));

        List<Price> prices = reply(postroom.request(QUEUE, new Quote("a", 1), SendOptions.DEFAULTS, new TypeReference<List<Price>>() {
        }));

        assertThat(prices).containsExactly(new Price("a", 1, List.of()), new Price("b", 2, List.of("x", "y – z")));
    }

    @Test
    void handlerReturningNullCompletesWithNull() {
        createQueue(QUEUE);
        handle(delivery -> null);

        assertThat(reply(postroom.request(QUEUE, new Quote("mug", 1), Price.class))).isNull();
    }

    @Test
    void handlerThrowingUntilDeadFailsTheRequestWithTheLastError() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(2).withBackoff(QUICK));
        handle(delivery -> {
            throw new IllegalStateException("no price for " + delivery.payload().sku() + " on attempt " + delivery.attempt());
        });

        Throwable failure = failure(postroom.request(QUEUE, new Quote("teapot", 1), Price.class));

        assertThat(failure).isInstanceOfSatisfying(MessageFailedException.class, e -> {
            assertThat(e.state()).isEqualTo(MessageState.DEAD);
            assertThat(e.lastError().attempt()).isEqualTo(2);
            assertThat(e.lastError().message()).contains("no price for teapot on attempt 2");
            assertThat(message(e.id()).state()).isEqualTo(MessageState.DEAD);
            assertThat(e.getMessage()).contains(e.id(), "DEAD", "no price for teapot");
        });
    }

    @Test
    void cancellingTheMessageFailsTheRequest() throws InterruptedException {
        createQueue(QUEUE);
        CompletableFuture<String> started = new CompletableFuture<>();
        handle(delivery -> {
            started.complete(delivery.id());
            new CountDownLatch(1).await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS); // until interrupted by the cancel
            return null;
        });

        CompletableFuture<Price> request = postroom.request(QUEUE, new Quote("mug", 1), Price.class);
        String id = reply(started);
        postroom.cancel(id);

        assertThat(failure(request)).isInstanceOfSatisfying(MessageFailedException.class, e -> {
            assertThat(e.id()).isEqualTo(id);
            assertThat(e.state()).isEqualTo(MessageState.CANCELLED);
        });
    }

    @Test
    void messageExpiringBeforeDeliveryFailsTheRequestWithExpired() {
        createQueue(QUEUE);
        // No handler: maintenance expires the message, which the store reports only as a count.

        CompletableFuture<Price> request = postroom.request(QUEUE, new Quote("mug", 1),
                SendOptions.builder().ttl(Duration.ofMillis(100)).build(), Price.class);

        assertThat(failure(request)).isInstanceOfSatisfying(MessageFailedException.class, e -> {
            track(List.of(e.id()));
            assertThat(e.state()).isEqualTo(MessageState.DEAD);
            assertThat(e.lastError().message()).isEqualTo("expired");
        });
    }

    @Test
    void resultThatDoesNotFitTheTypeFailsNamingResult() {
        createQueue(QUEUE);
        handle(delivery -> Map.of("cents", "not a number"));

        assertThat(failure(postroom.request(QUEUE, new Quote("mug", 1), Price.class)))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("result"));
    }

    @Test
    void manyConcurrentRequestsAllComplete() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withConcurrency(16));
        handle(delivery -> new Price(delivery.payload().sku(), delivery.payload().quantity(), List.of()));
        int count = 300;

        List<CompletableFuture<Price>> requests = new ArrayList<>();
        try (var senders = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<CompletableFuture<Price>>> sending = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Quote quote = new Quote("sku-" + i, i);
                sending.add(CompletableFuture.supplyAsync(() -> postroom.request(QUEUE, quote, Price.class), senders));
            }
            sending.forEach(s -> requests.add(s.join()));
        }

        for (int i = 0; i < count; i++) {
            assertThat(reply(requests.get(i))).isEqualTo(new Price("sku-" + i, i, List.of()));
        }
        await().atMost(PATIENCE).until(() -> postroom.pendingRequests() == 0);
    }

    @Test
    void cancellingTheFutureRemovesTheWaiterAndLeavesTheMessage() {
        createQueue(QUEUE);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> started = new CompletableFuture<>();
        handle(delivery -> {
            started.complete(delivery.id());
            release.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            return new Price("mug", 1, List.of());
        });

        CompletableFuture<Price> request = postroom.request(QUEUE, new Quote("mug", 1), Price.class);
        String id = reply(started);
        assertThat(postroom.pendingRequests()).isEqualTo(1);

        request.cancel(true);

        assertThat(postroom.pendingRequests()).isZero();
        release.countDown();
        await().atMost(PATIENCE).until(() -> stateOf(id) == MessageState.SUCCEEDED);
        assertThat(postroom.pendingRequests()).isZero();
    }

    @Test
    void timingOutTheFutureRemovesTheWaiter() {
        createQueue(QUEUE);
        // No handler: the message stays READY, and only the caller's timeout ends the wait.

        CompletableFuture<Price> request = postroom.request(QUEUE, new Quote("mug", 1), Price.class)
                .orTimeout(50, TimeUnit.MILLISECONDS);

        assertThat(failure(request)).isInstanceOf(TimeoutException.class);
        await().atMost(PATIENCE).until(() -> postroom.pendingRequests() == 0);
        await().atMost(PATIENCE).until(() -> counts(QUEUE).ready() == 1);
        trackQueue();
    }

    @Test
    void requestCompletesWhenAnotherNodeHandlesTheMessage() {
        createQueue(QUEUE);
        try (Postroom other = Postroom.builder().store(store).closeStore(false).node("tck-other-node")
                .clock(InstantSource.system()).maintenanceInterval(null).build()) {
            // Only the other node handles, so this node hears of no state change.
            other.handle(QUEUE, Quote.class, delivery -> {
                track(List.of(delivery.id()));
                return new Price(delivery.payload().sku(), 99, List.of("from the other node"));
            });

            Price price = reply(postroom.request(QUEUE, new Quote("mug", 1), Price.class));

            assertThat(price).isEqualTo(new Price("mug", 99, List.of("from the other node")));
        }
    }

    @Test
    void awaitResultOfAFinishedMessageCompletesAtOnce() {
        createQueue(QUEUE);
        handle(delivery -> new Price("mug", 7, List.of()));
        String id = sendId(QUEUE, new Quote("mug", 1));
        await().atMost(PATIENCE).until(() -> stateOf(id) == MessageState.SUCCEEDED);

        assertThat(reply(postroom.awaitResult(id, Price.class))).isEqualTo(new Price("mug", 7, List.of()));
    }

    @Test
    void repeatRequestWithTheSameIdempotencyKeyGetsTheFirstResult() {
        createQueue(QUEUE);
        handle(delivery -> new Price(delivery.id(), 1, List.of()));
        SendOptions once = SendOptions.builder().idempotencyKey("quote-17").build();

        Price first = reply(postroom.request(QUEUE, new Quote("mug", 1), once, Price.class));
        Price repeat = reply(postroom.request(QUEUE, new Quote("mug", 1), once, Price.class));

        assertThat(repeat).isEqualTo(first);
    }

    @Test
    void awaitResultOfADeletedMessageFailsWithNotFound() {
        createQueue(QUEUE);
        String id = sendId(QUEUE, new Quote("mug", 1));
        CompletableFuture<Price> waiting = postroom.awaitResult(id, Price.class);

        postroom.delete(id);

        assertThat(failure(waiting)).isInstanceOfSatisfying(MessageNotFoundException.class, e -> assertThat(e.id()).isEqualTo(id));
    }

    @Test
    void requestBeyondMaxPendingRequestsIsRejectedAndSendsNothing() {
        createQueue(QUEUE);
        rebuild(builder -> builder.maxPendingRequests(1));
        CompletableFuture<Price> first = postroom.request(QUEUE, new Quote("mug", 1), Price.class);

        assertThatThrownBy(() -> postroom.request(QUEUE, new Quote("mug", 2), Price.class))
                .isInstanceOf(PostroomException.class)
                .hasMessageContaining("maxPendingRequests");

        first.cancel(false);
        assertThat(postroom.pendingRequests()).isZero();
        await().atMost(PATIENCE).until(() -> counts(QUEUE).ready() == 1);
        trackQueue();
    }

    @Test
    void invalidRequestThrowsAtOnceAndHoldsNoPlace() {
        createQueue(QUEUE);

        assertThatThrownBy(() -> postroom.request("no-such-queue", new Quote("mug", 1), Price.class))
                .isInstanceOf(QueueNotFoundException.class);
        assertThatThrownBy(() -> postroom.request(QUEUE, new Quote("mug", 1), SendOptions.builder().priority(10).build(), Price.class))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("priority"));

        assertThat(postroom.pendingRequests()).isZero();
        assertQueueHoldsNothing(QUEUE);
    }

    @Test
    void closingFailsTheRequestsStillWaiting() {
        createQueue(QUEUE);
        CompletableFuture<Price> waiting = postroom.request(QUEUE, new Quote("mug", 1), Price.class);
        await().atMost(PATIENCE).until(() -> counts(QUEUE).ready() == 1);
        trackQueue();

        postroom.close();

        assertThat(failure(waiting)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
