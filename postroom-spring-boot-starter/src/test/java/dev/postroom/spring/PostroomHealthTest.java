package dev.postroom.spring;

import dev.postroom.Postroom;
import dev.postroom.store.MessageStore;
import dev.postroom.tck.FakeClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PostroomHealthTest {
    @TempDir
    Path dataDir;

    @Test
    void upWhileTheStoreAnswersDownOnceItIsClosed() {
        Contexts.sqlite(dataDir).run(context -> {
            PostroomHealthIndicator health = context.getBean("postroomHealthIndicator", PostroomHealthIndicator.class);
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);

            context.getBean(MessageStore.class).close();

            Health down = health.health();
            assertThat(down.getStatus()).isEqualTo(Status.DOWN);
            assertThat(down.getDetails()).containsKey("error");
        });
    }

    @Test
    void downWithDiskFullWhileTheStoreSaysItsDiskIsFull() {
        MessageStore real = dev.postroom.store.sqlite.SqliteMessageStore.open(dataDir);
        MessageStore full = (MessageStore) java.lang.reflect.Proxy.newProxyInstance(MessageStore.class.getClassLoader(),
                new Class<?>[]{MessageStore.class}, (proxy, method, args) -> method.getName().equals("diskFull")
                        ? Boolean.TRUE : method.invoke(real, args));
        try (Postroom postroom = Postroom.builder().store(full).build()) {
            Health health = new PostroomHealthIndicator(postroom, Duration.ofMinutes(10)).health();

            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails()).containsEntry("diskFull", true);
        }
    }

    @Test
    void queuesWhoseOldestReadyMessageWaitedLongerThanStaleAfterAreListed() {
        FakeClock clock = new FakeClock();
        Contexts.sqlite(dataDir)
                .withBean(PostroomBuilderCustomizer.class, () -> builder -> builder.clock(clock))
                .withPropertyValues("postroom.health.stale-after=10m", "postroom.queues.refunds.max-attempts=3",
                        "postroom.queues.exports.max-attempts=3")
                .run(context -> {
                    Postroom postroom = context.getBean(Postroom.class);
                    PostroomHealthIndicator health = context.getBean(PostroomHealthIndicator.class);
                    postroom.send("refunds", "order-1").join();
                    postroom.send("refunds", "order-2").join();
                    clock.advance(Duration.ofMinutes(11));
                    postroom.send("exports", "customer-7").join(); // waited 0: not stale

                    Health checked = health.health();

                    assertThat(checked.getStatus()).isEqualTo(Status.UP);
                    assertThat(checked.getDetails()).containsEntry("staleAfter", "PT10M")
                            .containsEntry("staleQueues", Map.of("refunds", Map.of("oldestReadyAge", "PT11M", "ready", 2L)));
                });
    }

    @Test
    void offWithManagementHealthPostroomEnabledFalse() {
        Contexts.sqlite(dataDir).withPropertyValues("management.health.postroom.enabled=false").run(context ->
                assertThat(context).hasSingleBean(Postroom.class).doesNotHaveBean(PostroomHealthIndicator.class));
    }
}
