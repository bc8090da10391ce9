package dev.postroom.spring;

import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.store.sqlite.SqliteMessageStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** Closing the application context stops Postroom gracefully, bounded by postroom.shutdown-timeout. */
class PostroomShutdownTest {
    @TempDir
    Path dataDir;

    @Test
    void aHandlerRunningWhenTheContextClosesFinishesAndItsMessageIsAcked() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<String> id = new AtomicReference<>();
        Contexts.sqlite(dataDir).withPropertyValues("postroom.queues.exports.max-attempts=1").run(context -> {
            Postroom postroom = context.getBean(Postroom.class);
            postroom.handle("exports", String.class, delivery -> {
                started.countDown();
                Thread.sleep(1_000); // the work: still running when the context closes
                return "exported";
            });
            id.set(postroom.send("exports", "customer-7").join().id());
            assertThat(started.await(30, TimeUnit.SECONDS)).as("handler started").isTrue();
            // the runner closes the context here, with the handler still running
        });

        assertThat(afterTheContextClosed(id.get()).state()).isEqualTo(MessageState.SUCCEEDED);
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES) // without the bound, closing would wait for ever
    void aHandlerStillRunningAfterTheShutdownTimeoutIsInterruptedAndItsMessageLeftForRedelivery() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        AtomicReference<String> id = new AtomicReference<>();
        Contexts.sqlite(dataDir).withPropertyValues("postroom.queues.exports.max-attempts=3", "postroom.shutdown-timeout=200ms")
                .run(context -> {
                    Postroom postroom = context.getBean(Postroom.class);
                    postroom.handle("exports", String.class, delivery -> {
                        started.countDown();
                        try {
                            new CountDownLatch(1).await(); // never finishes on its own
                        } catch (InterruptedException e) {
                            interrupted.countDown();
                            throw e;
                        }
                        return null;
                    });
                    id.set(postroom.send("exports", "customer-7").join().id());
                    assertThat(started.await(30, TimeUnit.SECONDS)).as("handler started").isTrue();
                });

        assertThat(interrupted.getCount()).as("the handler was interrupted").isZero();
        // The interrupted attempt is not a failure: the next start finds the message READY, no error recorded.
        Message left = afterTheContextClosed(id.get());
        assertThat(left.state()).isEqualTo(MessageState.READY);
        assertThat(left.errors()).isEmpty();
    }

    /** The message as the next start of the application finds it. */
    private Message afterTheContextClosed(String id) {
        try (SqliteMessageStore store = SqliteMessageStore.open(dataDir)) {
            return store.get(id).orElseThrow();
        }
    }
}
