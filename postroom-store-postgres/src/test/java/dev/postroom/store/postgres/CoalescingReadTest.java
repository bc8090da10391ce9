package dev.postroom.store.postgres;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class CoalescingReadTest {
    /** A read that returns its own number, the first one held until released. */
    private final AtomicInteger reads = new AtomicInteger();
    private final CountDownLatch firstStarted = new CountDownLatch(1);
    private final CountDownLatch releaseFirst = new CountDownLatch(1);
    private final CoalescingRead<Integer> read = new CoalescingRead<>(() -> {
        int n = reads.incrementAndGet();
        if (n == 1) {
            firstStarted.countDown();
            try {
                releaseFirst.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        return n;
    });

    private Thread caller(List<Integer> results) {
        return Thread.ofPlatform().start(() -> {
            Integer value = read.get();
            synchronized (results) {
                results.add(value);
            }
        });
    }

    @Test
    void callersArrivingDuringAReadShareTheNextOneAndNeverGetTheRunningOne() throws Exception {
        List<Integer> first = new ArrayList<>();
        Thread runner = caller(first);
        firstStarted.await();

        List<Integer> later = new ArrayList<>();
        List<Thread> waiting = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            waiting.add(caller(later));
        }
        await().until(() -> waiting.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
        releaseFirst.countDown();
        runner.join();
        for (Thread t : waiting) {
            t.join();
        }

        assertThat(first).containsExactly(1);
        assertThat(later).as("every later caller got the read begun after it asked").containsOnly(2).hasSize(5);
        assertThat(reads.get()).as("six callers, two reads").isEqualTo(2);
    }

    @Test
    void aCallerAfterAllReadsEndedReadsAgain() {
        releaseFirst.countDown();
        assertThat(read.get()).isEqualTo(1);
        assertThat(read.get()).isEqualTo(2);
    }

    @Test
    void aFailedReadFailsEveryCallerSharingItAndNotTheNext() {
        AtomicInteger attempts = new AtomicInteger();
        CoalescingRead<String> failing = new CoalescingRead<>(() -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("database down");
            }
            return "ok";
        });
        assertThatThrownBy(failing::get).isInstanceOf(IllegalStateException.class).hasMessage("database down");
        assertThat(CompletableFuture.supplyAsync(failing::get).join()).isEqualTo("ok");
    }
}
