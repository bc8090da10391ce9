package dev.postroom.spring;

import dev.postroom.AttemptError;
import dev.postroom.Delivery;
import dev.postroom.GiveUpException;
import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.RawJson;
import dev.postroom.SendOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code @PostroomListener} methods handle their queues, typed, with the outcomes their signature and exceptions ask for. */
class PostroomListenerTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;

    public record Refund(String orderId, long cents) {
    }

    public record Receipt(String orderId, String status) {
    }

    public record Line(String sku, int quantity) {
    }

    /** An application's own exception type, configured as non-retryable. */
    public static class OrderGoneException extends RuntimeException {
        public OrderGoneException(String message) {
            super(message);
        }
    }

    /** What the listeners saw. */
    static class Seen {
        final List<Object> calls = new CopyOnWriteArrayList<>();
    }

    /** An application's listeners. */
    static class Billing {
        private final Seen seen;

        Billing(Seen seen) {
            this.seen = seen;
        }

        @PostroomListener(queue = "billing.refund")
        Receipt refund(Refund refund, @PostroomHeader("tenant") String tenant, Delivery<Refund> delivery) {
            seen.calls.add(List.of(refund, tenant == null ? "none" : tenant, delivery.attempt()));
            return new Receipt(refund.orderId(), "refunded");
        }

        @PostroomListener(queue = "${billing.lines-queue:billing.lines}")
        void lines(List<Line> lines) {
            seen.calls.add(lines);
        }

        @PostroomListener(queue = "billing.gone")
        void gone(Refund refund) {
            seen.calls.add(refund);
            throw new IllegalStateException("cannot refund", new OrderGoneException("order " + refund.orderId() + " was deleted"));
        }

        @PostroomListener(queue = "billing.give-up")
        void giveUp(Delivery<Refund> delivery) {
            seen.calls.add(delivery.payload());
            throw new GiveUpException("refund window closed");
        }

        @PostroomListener(queue = "billing.flaky")
        String flaky(Refund refund, Delivery<Refund> delivery) {
            if (delivery.attempt() < 2) {
                throw new IllegalStateException("bank offline");
            }
            return "ok on attempt " + delivery.attempt();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class BillingApplication {
        @Bean
        Seen seen() {
            return new Seen();
        }

        @Bean
        Billing billing(Seen seen) {
            return new Billing(seen);
        }
    }

    private static Message awaitFinal(Postroom postroom, String id) {
        await().atMost(PATIENCE).until(() -> postroom.get(id).orElseThrow().state().isFinal());
        return postroom.get(id).orElseThrow();
    }

    private void run(ThrowingTest test) {
        Contexts.sqlite(dataDir)
                .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class))
                .withUserConfiguration(BillingApplication.class)
                .withPropertyValues("postroom.non-retryable-exceptions=" + OrderGoneException.class.getName(),
                        "postroom.queues[billing.flaky].backoff.initial=10ms",
                        "spring.jackson.property-naming-strategy=SNAKE_CASE")
                .run(context -> test.run(context, context.getBean(Postroom.class), context.getBean(Seen.class)));
    }

    @FunctionalInterface
    interface ThrowingTest {
        void run(ApplicationContext context, Postroom postroom, Seen seen) throws Exception;
    }

    @Test
    void aListenerReceivesATypedRecordItsHeaderAndDeliveryAndItsReturnValueIsTheResult() {
        run((context, postroom, seen) -> {
            String id = postroom.send("billing.refund", new Refund("order-42", 1999),
                    SendOptions.builder().header("tenant", "acme").build()).join().id();

            Message done = awaitFinal(postroom, id);

            assertThat(done.state()).isEqualTo(MessageState.SUCCEEDED);
            assertThat(seen.calls).containsExactly(List.of(new Refund("order-42", 1999), "acme", 1));
            assertThat(done.resultJson()).contains("\"order_id\":\"order-42\"").contains("\"status\":\"refunded\"");
        });
    }

    @Test
    void payloadsGoThroughTheApplicationsJackson3Mapper() {
        run((context, postroom, seen) -> {
            String id = postroom.send("billing.refund", new Refund("order-7", 5)).join().id();

            assertThat(postroom.get(id).orElseThrow().payloadJson()).contains("\"order_id\":\"order-7\"");
            assertThat(awaitFinal(postroom, id).state()).isEqualTo(MessageState.SUCCEEDED);
        });
    }

    @Test
    void aGenericPayloadIsReadIntoItsDeclaredTypeAndAVoidListenerAcksWithoutAResult() {
        run((context, postroom, seen) -> {
            String id = postroom.send("billing.lines", List.of(new Line("mug", 2), new Line("tea", 1))).join().id();

            Message done = awaitFinal(postroom, id);

            assertThat(done.state()).isEqualTo(MessageState.SUCCEEDED);
            assertThat(done.resultJson()).isNull();
            assertThat(seen.calls).containsExactly(List.of(new Line("mug", 2), new Line("tea", 1)));
        });
    }

    @Test
    void aConfiguredNonRetryableExceptionAmongTheCausesIsDeadAfterOneAttempt() {
        run((context, postroom, seen) -> {
            String id = postroom.send("billing.gone", new Refund("order-9", 1)).join().id();

            Message dead = awaitFinal(postroom, id);

            assertThat(dead.state()).isEqualTo(MessageState.DEAD);
            assertThat(dead.attempt()).isEqualTo(1);
            assertThat(dead.errors()).singleElement().extracting(AttemptError::message).asString()
                    .isEqualTo("IllegalStateException: cannot refund");
            assertThat(seen.calls).hasSize(1);
        });
    }

    @Test
    void giveUpExceptionIsDeadAfterOneAttempt() {
        run((context, postroom, seen) -> {
            String id = postroom.send("billing.give-up", new Refund("order-3", 1)).join().id();

            Message dead = awaitFinal(postroom, id);

            assertThat(dead.state()).isEqualTo(MessageState.DEAD);
            assertThat(dead.attempt()).isEqualTo(1);
            assertThat(dead.errors()).singleElement().extracting(AttemptError::message).asString().contains("refund window closed");
        });
    }

    @Test
    void anUndecodablePayloadIsDeadAfterOneAttemptWithoutTheListenerRunning() {
        run((context, postroom, seen) -> {
            String id = postroom.send("billing.refund", new RawJson("{\"order_id\": \"order-1\", \"cents\": \"lots\"}")).join().id();

            Message dead = awaitFinal(postroom, id);

            assertThat(dead.state()).isEqualTo(MessageState.DEAD);
            assertThat(dead.attempt()).isEqualTo(1);
            assertThat(dead.errors()).singleElement().extracting(AttemptError::message).asString()
                    .startsWith("payload cannot be decoded as " + Refund.class.getTypeName());
            assertThat(seen.calls).isEmpty();
        });
    }

    @Test
    void anOrdinaryExceptionIsRetriedWithTheQueuesBackoff() {
        run((context, postroom, seen) -> {
            String id = postroom.send("billing.flaky", new Refund("order-5", 1)).join().id();

            Message done = awaitFinal(postroom, id);

            assertThat(done.state()).isEqualTo(MessageState.SUCCEEDED);
            assertThat(done.attempt()).isEqualTo(2);
            assertThat(done.resultJson()).isEqualTo("\"ok on attempt 2\"");
        });
    }

    @Test
    void listenerQueuesThatDoNotExistAreCreated() {
        run((context, postroom, seen) -> assertThat(postroom.queues()).extracting(q -> q.name())
                .contains("billing.refund", "billing.lines", "billing.gone", "billing.give-up", "billing.flaky"));
    }

    /** Two payload parameters: which is the payload? */
    static class Ambiguous {
        @PostroomListener(queue = "ambiguous")
        void handle(Refund refund, String note) {
        }
    }

    /** Two listeners of one queue. */
    static class Twice {
        @PostroomListener(queue = "twice")
        void first(Refund refund) {
        }

        @PostroomListener(queue = "twice")
        void second(Refund refund) {
        }
    }

    @Test
    void aListenerWithTwoPayloadParametersFailsStartUpNamingTheMethod() {
        Contexts.sqlite(dataDir).withBean(Ambiguous.class).run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("@PostroomListener method Ambiguous.handle(Refund, String)")
                .hasMessageContaining("more than one payload parameter"));
    }

    @Test
    void twoListenersOfOneQueueFailStartUpNamingBoth() {
        Contexts.sqlite(dataDir).withBean(Twice.class).run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining("queue twice has two @PostroomListener methods")
                .hasMessageContaining("Twice.first(Refund)").hasMessageContaining("Twice.second(Refund)"));
    }
}
