package dev.postroom.spring;

import dev.postroom.Backoff;
import dev.postroom.KeyLimit;
import dev.postroom.MessageListener;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import dev.postroom.RateLimit;
import dev.postroom.SendResult;
import dev.postroom.store.MessageStore;
import dev.postroom.store.sqlite.SqliteMessageStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class PostroomAutoConfigurationTest {
    @TempDir
    Path dataDir;

    @Test
    void byDefaultPostroomRunsOnTheEmbeddedStoreAndHandlesWhatIsSent() {
        Contexts.sqlite(dataDir).withPropertyValues("postroom.queues.refunds.max-attempts=3").run(context -> {
            Postroom postroom = context.getBean(Postroom.class);
            assertThat(context.getBean(MessageStore.class)).isInstanceOf(SqliteMessageStore.class);
            postroom.handle("refunds", String.class, delivery -> "refunded " + delivery.payload());

            SendResult sent = postroom.send("refunds", "order-42").join();

            await().until(() -> postroom.get(sent.id()).orElseThrow().state() == MessageState.SUCCEEDED);
            assertThat(dataDir.resolve("postroom.db")).exists();
        });
    }

    @Test
    void configuredQueuesExistWithTheirPolicies() {
        Contexts.sqlite(dataDir).withPropertyValues(
                "postroom.queues.refunds.max-attempts=3",
                "postroom.queues.refunds.lease=2m",
                "postroom.queues.refunds.concurrency=4",
                "postroom.queues.refunds.retention=1h",
                "postroom.queues.refunds.dead-retention=30d",
                "postroom.queues.refunds.backoff.initial=5s",
                "postroom.queues.refunds.backoff.multiplier=3",
                "postroom.queues[billing.export].rate-limit.count=10",
                "postroom.queues[billing.export].rate-limit.per=1m",
                "postroom.queues[billing.export].per-key.header=tenant",
                "postroom.queues[billing.export].per-key.max-in-flight=2",
                "postroom.queues.plain.concurrency=64"
        ).run(context -> {
            Postroom postroom = context.getBean(Postroom.class);

            assertThat(postroom.queue("refunds").policy()).isEqualTo(new QueuePolicy(3,
                    new Backoff(Duration.ofSeconds(5), Backoff.DEFAULT.max(), 3.0), Duration.ofMinutes(2), 4,
                    Duration.ofHours(1), Duration.ofDays(30)));
            assertThat(postroom.queue("billing.export").policy()).isEqualTo(QueuePolicy.DEFAULT
                    .withRateLimit(new RateLimit(10, Duration.ofMinutes(1)))
                    .withPerKey(KeyLimit.byHeader("tenant").withMaxInFlight(2)));
            assertThat(postroom.queue("plain").policy()).isEqualTo(QueuePolicy.DEFAULT);
        });
    }

    @Test
    void queueBeansAreDeclaredAndPropertiesWinForAQueueNamedInBoth() {
        Contexts.sqlite(dataDir).withUserConfiguration(QueueBeans.class)
                .withPropertyValues("postroom.queues.refunds.max-attempts=7")
                .run(context -> {
                    Postroom postroom = context.getBean(Postroom.class);

                    assertThat(postroom.queue("exports").policy()).isEqualTo(QueuePolicy.DEFAULT.withConcurrency(2));
                    assertThat(postroom.queue("refunds").policy().maxAttempts()).isEqualTo(7);
                });
    }

    @Test
    void aQueueThatExistsGetsTheConfiguredPolicyAtTheNextStart() {
        Contexts.sqlite(dataDir).withPropertyValues("postroom.queues.refunds.max-attempts=3").run(context -> {
        });

        Contexts.sqlite(dataDir).withPropertyValues("postroom.queues.refunds.max-attempts=9").run(context ->
                assertThat(context.getBean(Postroom.class).queue("refunds").policy().maxAttempts()).isEqualTo(9));
    }

    @Test
    void configurersRunInTheirOrderWhenTheContextStartsAndTheirHandlersTakeMessages() {
        Contexts.sqlite(dataDir).withUserConfiguration(Configurers.class)
                .withPropertyValues("postroom.queues.greetings.max-attempts=1")
                .run(context -> {
                    Configurers configurers = context.getBean(Configurers.class);
                    assertThat(configurers.ran).containsExactly("first", "second");
                    Postroom postroom = context.getBean(Postroom.class);

                    SendResult sent = postroom.send("greetings", "hello").join();

                    await().until(() -> postroom.get(sent.id()).orElseThrow().state() == MessageState.SUCCEEDED);
                    assertThat(context.getBean(PostroomLifecycle.class).isRunning()).isTrue();
                });
    }

    @Test
    void everyMessageListenerBeanHearsTheStateChanges() {
        Contexts.sqlite(dataDir).withUserConfiguration(Listeners.class)
                .withPropertyValues("postroom.queues.refunds.max-attempts=1")
                .run(context -> {
                    context.getBean(Postroom.class).send("refunds", "order-42").join();

                    Listeners listeners = context.getBean(Listeners.class);
                    assertThat(listeners.first).containsExactly("refunds");
                    assertThat(listeners.second).containsExactly("refunds");
                });
    }

    @Test
    void theApplicationsOwnStoreIsUsedAndLeftForTheContextToClose() {
        Contexts.sqlite(dataDir).withBean(MessageStore.class, () -> SqliteMessageStore.open(dataDir.resolve("own")))
                .run(context -> {
                    Postroom postroom = context.getBean(Postroom.class);
                    assertThat(postroom.store()).isSameAs(context.getBean(MessageStore.class));
                    assertThat(dataDir.resolve("own/postroom.db")).exists();
                });
    }

    @Test
    void nodeNameComesFromTheProperty() {
        Contexts.sqlite(dataDir).withPropertyValues("postroom.node=worker-7").run(context ->
                assertThat(context.getBean(Postroom.class).node()).isEqualTo("worker-7"));
    }

    @Test
    void offWithEnabledFalse() {
        Contexts.sqlite(dataDir).withPropertyValues("postroom.enabled=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(Postroom.class).doesNotHaveBean(MessageStore.class);
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class QueueBeans {
        @Bean
        PostroomQueue exports() {
            return new PostroomQueue("exports", QueuePolicy.DEFAULT.withConcurrency(2));
        }

        @Bean
        PostroomQueue refunds() {
            return new PostroomQueue("refunds", QueuePolicy.DEFAULT.withMaxAttempts(2));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Configurers {
        final List<String> ran = new CopyOnWriteArrayList<>();

        @Bean
        @Order(2)
        PostroomConfigurer second() {
            return postroom -> {
                ran.add("second");
                postroom.handle("greetings", String.class, delivery -> null);
            };
        }

        @Bean
        @Order(1)
        PostroomConfigurer first() {
            return postroom -> ran.add("first");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Listeners {
        final List<String> first = new CopyOnWriteArrayList<>();
        final List<String> second = new CopyOnWriteArrayList<>();

        @Bean
        MessageListener firstListener() {
            return recordingSends(first);
        }

        @Bean
        MessageListener secondListener() {
            return recordingSends(second);
        }

        private static MessageListener recordingSends(List<String> queues) {
            return new MessageListener() {
                @Override
                public void sent(String queue, String id, MessageState state, boolean duplicate) {
                    queues.add(queue);
                }
            };
        }
    }
}
