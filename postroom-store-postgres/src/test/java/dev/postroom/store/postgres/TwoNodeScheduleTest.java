package dev.postroom.store.postgres;

import dev.postroom.MessageListener;
import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.MessageSummary;
import dev.postroom.Postroom;
import dev.postroom.ScheduleDefinition;
import dev.postroom.Schedules;
import dev.postroom.tck.FakeClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exactly once per cluster: two Postroom nodes, each with its own store on one database, run their
 * maintenance at the same moment, period after period, and every run of every schedule is sent by
 * one of them, once. Neither node ever hits the second guard (a send that finds the run's
 * idempotency key taken): the row locks alone keep them apart.
 */
class TwoNodeScheduleTest {
    private static final int SCHEDULES = 4;
    private static final int PERIODS = 60;
    private static final Duration PERIOD = Duration.ofSeconds(10);

    private final FakeClock clock = new FakeClock();
    private final AtomicInteger duplicates = new AtomicInteger();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private TestDatabase.Schema schema;
    private final List<Postroom> nodes = new ArrayList<>();

    @BeforeEach
    void twoNodes() {
        schema = TestDatabase.newSchema();
        MessageListener countDuplicates = new MessageListener() {
            @Override
            public void sent(String queue, String id, MessageState state, boolean duplicate) {
                if (duplicate) {
                    duplicates.incrementAndGet();
                }
            }
        };
        for (String name : List.of("node-a", "node-b")) {
            nodes.add(Postroom.builder().store(PostgresMessageStore.open(schema.options())).node(name).clock(clock)
                    .maintenanceInterval(null).listener(countDuplicates).build());
        }
    }

    @AfterEach
    void close() {
        threads.close();
        nodes.forEach(Postroom::close);
        if (schema != null) {
            schema.drop();
        }
    }

    @Test
    void twoNodesFiringTogetherSendEachRunExactlyOnce() throws Exception {
        Postroom first = nodes.getFirst();
        for (int i = 0; i < SCHEDULES; i++) {
            first.createQueue("ticks-" + i);
            first.schedules().put(ScheduleDefinition.builder("every-ten-seconds-" + i).cron("*/10 * * * * *")
                    .queue("ticks-" + i).payload(Map.of("schedule", i)).build());
        }

        for (int period = 1; period <= PERIODS; period++) {
            clock.set(FakeClock.START.plus(PERIOD.multipliedBy(period)));
            maintainAllAtOnce();
        }

        List<Instant> expected = new ArrayList<>();
        for (int period = 1; period <= PERIODS; period++) {
            expected.add(FakeClock.START.plus(PERIOD.multipliedBy(period)));
        }
        for (int i = 0; i < SCHEDULES; i++) {
            assertThat(runTimes(first, "ticks-" + i)).as("run times sent to ticks-%d", i).containsExactlyElementsOf(expected);
        }
        assertThat(duplicates).as("sends that found their run's idempotency key taken").hasValue(0);
        assertThat(first.schedules().list()).allSatisfy(s -> {
            assertThat(s.lastRunAt()).isEqualTo(expected.getLast());
            assertThat(s.nextRunAt()).isEqualTo(expected.getLast().plus(PERIOD));
        });
    }

    /** Both nodes' maintenance passes, released at the same instant; fails if either pass failed. */
    private void maintainAllAtOnce() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Void>> passes = new ArrayList<>();
        for (Postroom node : nodes) {
            passes.add(CompletableFuture.runAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                node.runMaintenance();
            }, threads));
        }
        go.countDown();
        CompletableFuture.allOf(passes.toArray(CompletableFuture[]::new)).get();
    }

    /** The run time of every message in {@code queue}, in the order they were sent. */
    private static List<Instant> runTimes(Postroom node, String queue) {
        List<MessageSummary> newestFirst = node.browse(MessageQuery.builder().queue(queue).limit(MessageQuery.MAX_LIMIT).build()).messages();
        return newestFirst.reversed().stream()
                .map(m -> Instant.parse(node.get(m.id()).orElseThrow().headers().get(Schedules.RUN_AT_HEADER)))
                .toList();
    }
}
