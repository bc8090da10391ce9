package dev.postroom.store.sqlite;

import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import dev.postroom.store.ClaimRequest;
import dev.postroom.store.ClaimedMessage;
import dev.postroom.store.Completion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A claim waits for the writer and runs at the start of its transaction: it takes the caller's
 * slots freed meanwhile, so a queue's handlers do not idle a commit; and an ack queued beside it
 * still holds its place, since a message is in flight until its ack commits (a crash then would
 * hand it out again), so a queue never has more in flight than its concurrency.
 */
class ClaimSlotsTest {
    private static final String QUEUE = "work";
    private static final Duration LEASE = Duration.ofMinutes(1);

    @TempDir
    Path dir;
    private SqliteMessageStore store;
    private Postroom postroom;

    @BeforeEach
    void open() {
        store = SqliteMessageStore.open(dir);
        postroom = Postroom.builder().store(store).build();
    }

    @AfterEach
    void close() {
        postroom.close();
    }

    @Test
    void anAckNotYetCommittedStillHoldsItsPlaceInTheConcurrency() throws Exception {
        postroom.createQueue(QUEUE, QueuePolicy.DEFAULT.withConcurrency(1));
        sendThree();
        ClaimedMessage first = claim(1, ClaimRequest.MoreSlots.NONE).join().getFirst();

        CountDownLatch release = holdWriterBusy();
        CompletableFuture<?> ack = store.ack(new Completion(first.id(), first.leaseId(), null, Instant.now(), "test"));
        CompletableFuture<List<ClaimedMessage>> beside = claim(1, upTo -> upTo);
        release.countDown();

        assertThat(beside.join()).as("claimed in the ack's transaction, before it").isEmpty();
        ack.join();
        assertThat(claim(1, ClaimRequest.MoreSlots.NONE).join()).as("once the ack committed").hasSize(1);
    }

    @Test
    void aClaimTakesTheCallersSlotsFreedWhileItWaitedUpToTheConcurrency() {
        postroom.createQueue(QUEUE, QueuePolicy.DEFAULT.withConcurrency(4));
        sendThree();
        sendThree();
        AtomicInteger offered = new AtomicInteger();
        List<ClaimedMessage> claimed = claim(1, upTo -> {
            offered.set(upTo);
            return Math.min(upTo, 10);
        }).join();

        assertThat(offered).as("room left under the concurrency of 4 after the 1 asked for").hasValue(3);
        assertThat(claimed).hasSize(4);
    }

    @Test
    void slotsTheCallerCannotSpareAreNotClaimed() {
        postroom.createQueue(QUEUE, QueuePolicy.DEFAULT.withConcurrency(10));
        sendThree();
        sendThree();

        assertThat(claim(2, upTo -> 1).join()).hasSize(3);
    }

    private CompletableFuture<List<ClaimedMessage>> claim(int max, ClaimRequest.MoreSlots more) {
        return store.claim(new ClaimRequest(QUEUE, max, LEASE, Instant.now(), "test", more));
    }

    private void sendThree() {
        for (int i = 0; i < 3; i++) {
            postroom.send(QUEUE, Map.of("n", i)).join();
        }
    }

    /** Queues a command that blocks the writer until released, so what is submitted next shares one transaction. */
    private CountDownLatch holdWriterBusy() throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        store.committerForTesting().submit(w -> {
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        running.await();
        return release;
    }
}
