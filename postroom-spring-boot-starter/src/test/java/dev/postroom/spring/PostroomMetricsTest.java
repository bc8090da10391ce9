package dev.postroom.spring;

import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.micrometer.PostroomMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class PostroomMetricsTest {
    @TempDir
    Path dataDir;

    @Test
    void postroomsMetersAreOnTheApplicationsRegistry() {
        Contexts.sqlite(dataDir).withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withPropertyValues("postroom.queues.refunds.max-attempts=3", "postroom.queues.idle.max-attempts=3")
                .run(context -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    Postroom postroom = context.getBean(Postroom.class);
                    postroom.handle("refunds", String.class, delivery -> null);

                    String id = postroom.send("refunds", "order-42").join().id();
                    await().until(() -> postroom.get(id).orElseThrow().state() == MessageState.SUCCEEDED);

                    assertThat(registry.get("postroom.messages.sent").tag("queue", "refunds").counter().count()).isEqualTo(1);
                    await().until(() -> registry.get("postroom.messages.acked").tag("queue", "refunds").counter().count() == 1);
                    // every configured queue has its gauges from the start, read from the store
                    assertThat(registry.get("postroom.messages").tag("queue", "idle").tag("state", "ready").gauge().value()).isZero();
                    postroom.send("idle", "later").join();
                    context.getBean(PostroomMeters.class).refreshCounts();
                    assertThat(registry.get("postroom.messages").tag("queue", "idle").tag("state", "ready").gauge().value()).isEqualTo(1);
                });
    }

    @Test
    void noMetersWithoutARegistry() {
        Contexts.sqlite(dataDir).run(context ->
                assertThat(context).hasSingleBean(Postroom.class).doesNotHaveBean(PostroomMeters.class));
    }
}
