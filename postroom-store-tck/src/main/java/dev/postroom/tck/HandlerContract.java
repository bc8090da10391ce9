package dev.postroom.tck;

import dev.postroom.AttemptError;
import dev.postroom.Backoff;
import dev.postroom.GiveUpException;
import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.Progress;
import dev.postroom.QueuePolicy;
import dev.postroom.RetryLaterException;
import dev.postroom.SendOptions;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Handlers end to end on a real store: a registered handler gets the payload decoded into its type,
 * its return value becomes the result, and a throw fails the attempt with the exception's message.
 *
 * <p>Unlike the other contracts this one runs the dispatcher and the maintenance timer for real, on
 * the system clock; tests wait for outcomes with Awaitility (generous timeouts, never sleeps) and
 * never assert on how long anything took.
 */
public abstract class HandlerContract extends ContractSupport {
    private static final String QUEUE = "handled";
    /** Generous: a slow CI machine must not fail a correct store. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    /** Fast retries so that failing tests finish quickly; the dispatcher wakes for due messages. */
    private static final Backoff QUICK = new Backoff(Duration.ofMillis(20), Duration.ofMillis(50), 2.0);

    /** A typed payload, decoded by the handler. */
    public record Refund(String orderId, int cents, List<String> lines, Map<String, String> notes) {
    }

    /** A typed result. */
    public record Receipt(String status, int refunded) {
    }

    /** What a handler saw, captured for assertions outside it. */
    record Seen(String id, String queue, Refund payload, Map<String, String> headers, int attempt) {
    }

    @Override
    protected Postroom.Builder configure(Postroom.Builder builder) {
        return builder.clock(InstantSource.system())
                .nonRetryable(UnsupportedOperationException.class)
                .maintenanceInterval(Duration.ofMillis(50))
                .shutdownTimeout(Duration.ofSeconds(10));
    }

    private Message awaitState(String id, MessageState state) {
        await().atMost(PATIENCE).until(() -> postroom.get(id).map(Message::state), s -> s.equals(Optional.of(state)));
        return message(id);
    }

    @Test
    void handlerReceivesTheDecodedTypedPayload() {
        createQueue(QUEUE);
        CompletableFuture<Seen> seen = new CompletableFuture<>();
        postroom.handle(QUEUE, Refund.class, delivery -> {
            seen.complete(new Seen(delivery.id(), delivery.queue(), delivery.payload(), delivery.headers(), delivery.attempt()));
            return null;
        });
        Refund refund = new Refund("order-42", 1999, List.of("mug", "tea – green"), Map.of("reason", "damaged"));

        String id = send(QUEUE, refund, SendOptions.builder().header("tenant", "acme").build()).id();

        await().atMost(PATIENCE).until(seen::isDone);
        assertThat(seen.join()).isEqualTo(new Seen(id, QUEUE, refund, Map.of("tenant", "acme"), 1));
        Message done = awaitState(id, MessageState.SUCCEEDED);
        assertThat(done.resultJson()).isNull();
        assertThat(done.attempt()).isEqualTo(1);
        assertThat(done.timeline().getLast().node()).isEqualTo(NODE);
    }

    @Test
    void traceparentHeaderReachesTheHandlerUnchanged() {
        createQueue(QUEUE);
        CompletableFuture<String> seen = new CompletableFuture<>();
        postroom.handle(QUEUE, Refund.class, delivery -> {
            seen.complete(delivery.traceparent());
            return null;
        });
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

        String id = send(QUEUE, new Refund("order-1", 1, List.of(), Map.of()),
                SendOptions.builder().header("traceparent", traceparent).build()).id();

        await().atMost(PATIENCE).until(seen::isDone);
        assertThat(seen.join()).isEqualTo(traceparent);
        assertThat(awaitState(id, MessageState.SUCCEEDED).headers()).containsEntry("traceparent", traceparent);
    }

    @Test
    void returnedValueIsStoredAsTheResult() {
        createQueue(QUEUE);
        postroom.handle(QUEUE, Refund.class, delivery -> new Receipt("refunded", delivery.payload().cents()));

        String id = sendId(QUEUE, new Refund("order-7", 450, List.of(), Map.of()));

        Message done = awaitState(id, MessageState.SUCCEEDED);
        assertSameJson(done.resultJson(), new Receipt("refunded", 450));
        assertThat(done.errors()).isEmpty();
    }

    @Test
    void throwingHandlerFailsTheAttemptWithItsMessage() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(2).withBackoff(QUICK));
        postroom.handle(QUEUE, Refund.class, delivery -> {
            throw new IllegalStateException("card declined for " + delivery.payload().orderId());
        });

        String id = sendId(QUEUE, new Refund("order-9", 100, List.of(), Map.of()));

        Message dead = awaitState(id, MessageState.DEAD);
        assertThat(dead.attempt()).isEqualTo(2);
        assertThat(dead.errors()).extracting(AttemptError::attempt).containsExactly(1, 2);
        assertThat(dead.errors()).allSatisfy(error -> {
            assertThat(error.message()).contains("card declined for order-9");
            assertThat(error.detail()).contains("IllegalStateException");
        });
        assertThat(dead.resultJson()).isNull();
    }

    @Test
    void failedAttemptIsRetriedUntilTheHandlerSucceeds() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(5).withBackoff(QUICK));
        postroom.handle(QUEUE, Refund.class, delivery -> {
            if (delivery.attempt() < 3) {
                throw new IllegalStateException("bank offline on attempt " + delivery.attempt());
            }
            return "refunded on attempt " + delivery.attempt();
        });

        String id = sendId(QUEUE, new Refund("order-3", 300, List.of(), Map.of()));

        Message done = awaitState(id, MessageState.SUCCEEDED);
        assertThat(done.attempt()).isEqualTo(3);
        assertThat(done.errors()).extracting(AttemptError::message)
                .satisfiesExactly(m -> assertThat(m).contains("bank offline on attempt 1"),
                        m -> assertThat(m).contains("bank offline on attempt 2"));
        assertSameJson(done.resultJson(), "refunded on attempt 3");
    }

    @Test
    void undecodablePayloadIsDeadAfterOneAttempt() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(5).withBackoff(QUICK));
        AtomicInteger runs = new AtomicInteger();
        postroom.handle(QUEUE, Refund.class, delivery -> runs.incrementAndGet());

        String id = sendId(QUEUE, Map.of("cents", "not a number"));

        Message dead = awaitState(id, MessageState.DEAD);
        assertThat(dead.attempt()).isEqualTo(1);
        assertThat(dead.errors()).singleElement().satisfies(error -> assertThat(error.message())
                .startsWith("payload cannot be decoded as " + Refund.class.getTypeName() + ": ")
                .contains("not a number"));
        assertThat(dead.timeline().getLast().reason()).isEqualTo("failed; not retryable");
        assertThat(runs).hasValue(0);
    }

    @Test
    void giveUpExceptionSendsTheMessageToDeadWithAttemptsLeft() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(5).withBackoff(QUICK));
        postroom.consume(QUEUE, Refund.class, delivery -> {
            throw new GiveUpException("order " + delivery.payload().orderId() + " no longer exists");
        });

        String id = sendId(QUEUE, new Refund("order-8", 100, List.of(), Map.of()));

        Message dead = awaitState(id, MessageState.DEAD);
        assertThat(dead.attempt()).isEqualTo(1);
        assertThat(dead.errors()).singleElement().satisfies(error -> assertThat(error.message()).contains("order order-8 no longer exists"));
    }

    @Test
    void nonRetryableTypeAnywhereInTheCausesIsDeadAfterOneAttempt() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(5).withBackoff(QUICK));
        postroom.consume(QUEUE, Refund.class, delivery -> {
            throw new IllegalStateException("refund failed", new UnsupportedOperationException("currency XTS"));
        });

        String id = sendId(QUEUE, new Refund("order-6", 100, List.of(), Map.of()));

        Message dead = awaitState(id, MessageState.DEAD);
        assertThat(dead.attempt()).isEqualTo(1);
        assertThat(dead.errors()).singleElement().satisfies(error -> {
            assertThat(error.message()).contains("refund failed");
            assertThat(error.detail()).contains("currency XTS");
        });
    }

    @Test
    void retryLaterExceptionRetriesAfterTheHandlersDelay() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(5).withBackoff(QUICK));
        postroom.consume(QUEUE, Refund.class, delivery -> {
            throw new RetryLaterException(Duration.ofHours(2), "bank asks us to wait");
        });
        Instant sentAt = Instant.now();

        String id = sendId(QUEUE, new Refund("order-4", 100, List.of(), Map.of()));

        Message waiting = awaitState(id, MessageState.SCHEDULED);
        assertThat(waiting.attempt()).isEqualTo(1);
        // The queue's backoff would have retried within 50 ms; the handler asked for two hours.
        assertThat(waiting.notBefore()).isAfter(sentAt.plus(Duration.ofMinutes(119)));
        assertThat(waiting.errors()).singleElement().satisfies(error -> assertThat(error.message()).contains("bank asks us to wait"));
    }

    @Test
    void aHandlerRunningPastTheQueuesMaxRunIsInterruptedAndTheAttemptFailsWithATimeout() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(2).withBackoff(QUICK).withMaxRun(Duration.ofSeconds(1)));
        AtomicInteger interrupted = new AtomicInteger();
        postroom.consume(QUEUE, Refund.class, delivery -> {
            try {
                new CountDownLatch(1).await(); // hangs until interrupted
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                throw e;
            }
        });

        String id = sendId(QUEUE, new Refund("order-12", 100, List.of(), Map.of()));

        Message dead = awaitState(id, MessageState.DEAD);
        assertThat(interrupted).as("each hung attempt was interrupted").hasValue(2);
        assertThat(dead.errors()).extracting(AttemptError::attempt).containsExactly(1, 2);
        assertThat(dead.errors()).allSatisfy(error -> assertThat(error.message()).contains("timed out").contains("maxRun"));
    }

    @Test
    void aHandlerThatReturnsAfterTheQueuesMaxRunHasFailedItsAttempt() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(2).withBackoff(QUICK).withMaxRun(Duration.ofSeconds(1)));
        postroom.handle(QUEUE, Refund.class, delivery -> {
            if (delivery.attempt() == 1) {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (System.nanoTime() < until) {
                    Thread.onSpinWait(); // deaf to interrupts, as CPU-bound or careless code is
                }
            }
            return "done on attempt " + delivery.attempt();
        });

        String id = sendId(QUEUE, new Refund("order-13", 100, List.of(), Map.of()));

        Message done = awaitState(id, MessageState.SUCCEEDED);
        assertThat(done.attempt()).isEqualTo(2);
        assertThat(done.errors()).singleElement().satisfies(error -> assertThat(error.message()).contains("timed out"));
        assertSameJson(done.resultJson(), "done on attempt 2");
    }

    @Test
    void aHandlerInterruptedByTheShutdownTimeoutSpendsNoAttempt() throws InterruptedException {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(1));
        CountDownLatch started = new CountDownLatch(1);
        // A second node on the same store, quick to give up on its handlers when it stops.
        Postroom node = Postroom.builder().store(store).closeStore(false).node("impatient")
                .shutdownTimeout(Duration.ofMillis(100)).maintenanceInterval(null).build();
        try {
            node.consume(QUEUE, Refund.class, delivery -> {
                started.countDown();
                new CountDownLatch(1).await(); // work that only an interrupt ends
            });
            String id = sendId(QUEUE, new Refund("order-11", 100, List.of(), Map.of()));
            assertThat(started.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

            node.close();

            Message left = message(id);
            assertThat(left.state()).as("its lease stands; it is delivered again when that ends, not DEAD").isEqualTo(MessageState.IN_FLIGHT);
            assertThat(left.errors()).as("no attempt failed").isEmpty();
        } finally {
            node.close();
        }
    }

    @Test
    void aResultOverThePayloadLimitIsDeadAfterOneAttempt() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withMaxAttempts(5).withBackoff(QUICK));
        postroom.handle(QUEUE, Refund.class, delivery -> "x".repeat(postroom.limits().maxPayloadBytes()));

        String id = sendId(QUEUE, new Refund("order-12", 100, List.of(), Map.of()));

        Message dead = awaitState(id, MessageState.DEAD);
        assertThat(dead.attempt()).isEqualTo(1);
        assertThat(dead.resultJson()).isNull();
        assertThat(dead.errors()).singleElement().satisfies(error -> assertThat(error.message()).contains("result").contains("over the limit"));
    }

    @Test
    void consumerWithoutResultAcks() {
        createQueue(QUEUE);
        List<String> refunded = new CopyOnWriteArrayList<>();
        postroom.consume(QUEUE, Refund.class, delivery -> refunded.add(delivery.payload().orderId()));

        String id = sendId(QUEUE, new Refund("order-2", 200, List.of(), Map.of()));

        Message done = awaitState(id, MessageState.SUCCEEDED);
        assertThat(done.resultJson()).isNull();
        assertThat(refunded).containsExactly("order-2");
    }

    @Test
    void sendersMdcIsInTheHandlersMdc() {
        createQueue(QUEUE);
        CompletableFuture<Map<String, String>> seen = new CompletableFuture<>();
        postroom.consume(QUEUE, Refund.class, delivery -> seen.complete(MDC.getCopyOfContextMap()));

        String id;
        MDC.put("requestId", "req-7f3a");
        MDC.put("operator", "alice");
        try {
            id = sendId(QUEUE, new Refund("order-1", 100, List.of(), Map.of()));
        } finally {
            MDC.clear();
        }

        await().atMost(PATIENCE).until(seen::isDone);
        assertThat(seen.join()).containsEntry("requestId", "req-7f3a").containsEntry("operator", "alice")
                .containsEntry("messageId", id).containsEntry("queue", QUEUE).containsEntry("attempt", "1");
        assertThat(message(id).headers()).containsEntry("mdc.requestId", "req-7f3a").containsEntry("mdc.operator", "alice");
    }

    @Test
    void progressReportedByARunningHandlerIsVisible() throws InterruptedException {
        createQueue(QUEUE);
        CountDownLatch release = new CountDownLatch(1);
        postroom.handle(QUEUE, Refund.class, delivery -> {
            delivery.progress(40, "2 of 5 lines refunded");
            if (!release.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("test never released the handler");
            }
            return null;
        });

        String id = sendId(QUEUE, new Refund("order-5", 500, List.of("a", "b", "c", "d", "e"), Map.of()));
        try {
            await().atMost(PATIENCE).until(() -> postroom.get(id).map(Message::progress),
                    p -> p.equals(Optional.of(new Progress(40, "2 of 5 lines refunded"))));
            Message running = message(id);
            assertThat(running.state()).isEqualTo(MessageState.IN_FLIGHT);
            assertThat(running.leaseExpiresAt()).isNotNull();
        } finally {
            release.countDown();
        }
        awaitState(id, MessageState.SUCCEEDED);
    }

    @Test
    void manyMessagesAreAllHandledOnce() {
        createQueue(QUEUE, QueuePolicy.DEFAULT.withConcurrency(8));
        Set<String> handled = ConcurrentHashMap.newKeySet();
        AtomicInteger repeats = new AtomicInteger();
        postroom.handle(QUEUE, Refund.class, delivery -> {
            if (!handled.add(delivery.id())) {
                repeats.incrementAndGet();
            }
            return null;
        });
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ids.add(sendId(QUEUE, new Refund("order-" + i, i, List.of(), Map.of())));
        }

        await().atMost(PATIENCE).until(() -> counts(QUEUE).succeeded() == ids.size());
        assertThat(handled).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(repeats).as("deliveries of an already handled message with no failure in between").hasValue(0);
    }
}
