package dev.postroom.micrometer;

import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import dev.postroom.SendOptions;
import dev.postroom.store.MessageStore;
import dev.postroom.store.StoreUnavailableException;
import dev.postroom.store.sqlite.SqliteMessageStore;
import dev.postroom.tck.FakeClock;
import dev.postroom.tck.InterceptedStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class PostroomMetersTest {
    @TempDir
    Path dir;

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final PostroomMeters meters = new PostroomMeters(registry);

    @Test
    void countersAndTimersCountWhatTheEngineDoesPerQueue() {
        try (Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(dir)).listener(meters).build()) {
            meters.attach(postroom);
            postroom.createQueue("refunds", QueuePolicy.DEFAULT.withMaxAttempts(1));
            postroom.send("refunds", "ok").join();
            postroom.send("refunds", "fail").join();
            postroom.handle("refunds", String.class, delivery -> {
                if (delivery.payload().contains("fail")) {
                    throw new IllegalStateException("refused");
                }
                return null;
            });

            await().until(() -> counter("postroom.messages.acked") == 1 && counter("postroom.messages.dead") == 1);
            assertThat(counter("postroom.messages.sent")).isEqualTo(2);
            assertThat(counter("postroom.messages.nacked")).isEqualTo(1);
            assertThat(registry.get("postroom.handle.duration").tag("queue", "refunds").timer().count()).isEqualTo(2);
            assertThat(registry.get("postroom.send.to.start").tag("queue", "refunds").timer().count()).isEqualTo(2);
        }
    }

    @Test
    void aDuplicateSendIsNotCounted() {
        try (Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(dir)).listener(meters)
                .maintenanceInterval(null).build()) {
            postroom.createQueue("refunds");
            SendOptions once = SendOptions.builder().idempotencyKey("refund-42").build();
            postroom.send("refunds", "{}", once).join();
            postroom.send("refunds", "{}", once).join();

            assertThat(counter("postroom.messages.sent")).isEqualTo(1);
        }
    }

    @Test
    void gaugesShowTheStoresCountsAndHowLongTheOldestReadyMessageWaited() {
        FakeClock clock = new FakeClock();
        try (Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(dir)).clock(clock)
                .maintenanceInterval(null).build()) {
            meters.attach(postroom);
            postroom.createQueue("exports");
            meters.registerQueue("exports");
            postroom.send("exports", "{}").join();
            postroom.send("exports", "{}").join();
            postroom.send("exports", "{}", SendOptions.builder().delay(Duration.ofHours(1)).build()).join();
            clock.advance(Duration.ofSeconds(90));
            meters.refreshCounts();

            assertThat(gauge("postroom.messages", "ready")).isEqualTo(2);
            assertThat(gauge("postroom.messages", "scheduled")).isEqualTo(1);
            assertThat(gauge("postroom.messages", "in_flight")).isZero();
            assertThat(gauge("postroom.messages", "dead")).isZero();
            assertThat(registry.get("postroom.queue.oldest.ready.age").tag("queue", "exports").gauge().value()).isEqualTo(90.0);
        }
    }

    @Test
    void gaugesReadZeroUntilAttached() {
        meters.registerQueue("exports");
        meters.registerQueue("exports"); // once only: a second registration changes nothing

        assertThat(gauge("postroom.messages", "ready")).isZero();
        assertThat(registry.get("postroom.messages").tag("queue", "exports").gauges()).hasSize(4);
    }

    @Test
    void nodesGaugeCountsTheNodesAliveAndDead() {
        try (Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(dir)).maintenanceInterval(null).build()) {
            assertThat(registry.get("postroom.nodes").tag("state", "alive").gauge().value()).as("before attach").isZero();

            meters.attach(postroom);
            meters.refreshCounts();

            assertThat(registry.get("postroom.nodes").tag("state", "alive").gauge().value()).isEqualTo(1);
            assertThat(registry.get("postroom.nodes").tag("state", "dead").gauge().value()).isZero();
        }
    }

    @Test
    void aClaimThatMeetsAnUnavailableStoreIsCountedAsAStoreError() {
        AtomicBoolean away = new AtomicBoolean();
        MessageStore flaky = InterceptedStore.of(SqliteMessageStore.open(dir), method -> {
            if (away.get() && method.equals("claim")) {
                throw new StoreUnavailableException("database away", null);
            }
        });
        try (Postroom postroom = Postroom.builder().store(flaky).listener(meters).maintenanceInterval(null).build()) {
            postroom.createQueue("refunds");
            assertThat(registry.get("postroom.store.errors").tag("operation", "claim").counter().count()).isZero();
            away.set(true);

            postroom.handle("refunds", String.class, delivery -> null);

            await().until(() -> registry.get("postroom.store.errors").tag("operation", "claim").counter().count() >= 1);
        }
    }

    @Test
    void everyMeterHasADescription() {
        try (Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(dir)).listener(meters).build()) {
            meters.attach(postroom);
            postroom.createQueue("refunds");
            postroom.send("refunds", "ok").join();
            postroom.handle("refunds", String.class, delivery -> null);
            await().until(() -> counter("postroom.messages.acked") == 1);
            meters.storeFailed("request");

            assertThat(registry.getMeters()).isNotEmpty()
                    .allSatisfy(meter -> assertThat(meter.getId().getDescription()).as(meter.getId().getName()).isNotBlank());
        }
    }

    private double counter(String name) {
        return registry.get(name).tag("queue", "refunds").counter().count();
    }

    private double gauge(String name, String state) {
        return registry.get(name).tag("queue", "exports").tag("state", state).gauge().value();
    }
}
