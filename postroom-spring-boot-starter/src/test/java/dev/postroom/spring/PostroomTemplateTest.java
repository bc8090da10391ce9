package dev.postroom.spring;

import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.QueueNotFoundException;
import dev.postroom.SendResult;
import dev.postroom.StateCounts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * On the embedded store a send inside the application's transaction (here on its own SQLite
 * database) is made when that transaction commits, and never when it rolls back.
 */
class PostroomTemplateTest {
    @TempDir
    Path dir;

    private void run(TemplateTest test) {
        Contexts.sqlite(dir.resolve("postroom"))
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class))
                .withPropertyValues("spring.datasource.url=jdbc:sqlite:" + dir.resolve("app.db"), "postroom.queues.refunds.concurrency=1")
                .run(context -> test.run(context.getBean(PostroomTemplate.class), context.getBean(Postroom.class),
                        new TransactionTemplate(context.getBean(PlatformTransactionManager.class))));
    }

    @FunctionalInterface
    interface TemplateTest {
        void run(PostroomTemplate template, Postroom postroom, TransactionTemplate transactions) throws Exception;
    }

    private static long stored(Postroom postroom) {
        StateCounts c = postroom.queue("refunds").counts();
        return c.scheduled() + c.ready() + c.inFlight() + c.succeeded() + c.dead() + c.cancelled();
    }

    @Test
    void outsideATransactionASendIsMadeAtOnce() {
        run((template, postroom, transactions) -> {
            SendResult sent = template.send("refunds", "order-1").join();

            assertThat(postroom.get(sent.id())).get().extracting(m -> m.state()).isEqualTo(MessageState.READY);
        });
    }

    @Test
    void aSendInACommittedTransactionIsMadeAtTheCommitExactlyOnce() {
        run((template, postroom, transactions) -> {
            CompletableFuture<SendResult> sent = transactions.execute(status -> {
                CompletableFuture<SendResult> future = template.send("refunds", "order-2");
                assertThat(stored(postroom)).as("nothing before the commit").isZero();
                return future;
            });

            assertThat(sent.join().state()).isEqualTo(MessageState.READY);
            assertThat(stored(postroom)).isEqualTo(1);
        });
    }

    @Test
    void aSendInARolledBackTransactionIsNeverMade() {
        run((template, postroom, transactions) -> {
            CompletableFuture<SendResult> sent = transactions.execute(status -> {
                CompletableFuture<SendResult> future = template.send("refunds", "order-3");
                status.setRollbackOnly();
                return future;
            });

            assertThatThrownBy(sent::join).isInstanceOf(CompletionException.class).hasCauseInstanceOf(SendRolledBackException.class);
            assertThat(stored(postroom)).isZero();
        });
    }

    @Test
    void waitingForTheSendInsideItsOwnTransactionIsRefusedInsteadOfHanging() {
        run((template, postroom, transactions) -> transactions.executeWithoutResult(status ->
                assertThatThrownBy(() -> template.send("refunds", "order-4").join())
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("when the transaction commits")));
    }

    @Test
    void aBadSendInsideATransactionThrowsAtTheCall() {
        run((template, postroom, transactions) -> transactions.executeWithoutResult(status ->
                assertThatThrownBy(() -> template.send("no-such-queue", "x")).isInstanceOf(QueueNotFoundException.class)));
    }

    @Test
    void aRequestInATransactionCompletesWithTheResultAfterTheCommit() {
        run((template, postroom, transactions) -> {
            postroom.handle("refunds", String.class, delivery -> "refunded " + delivery.payload());

            CompletableFuture<String> reply = transactions.execute(status -> template.request("refunds", "order-5", String.class));

            assertThat(reply.join()).isEqualTo("refunded order-5");
        });
    }
}
