package dev.postroom.spring;

import dev.postroom.Postroom;
import dev.postroom.SendResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On PostgreSQL a send inside the application's transaction is written in it (the outbox): it
 * commits or rolls back with the application's own rows, and no one sees it before the commit.
 */
class PostroomTemplatePostgresTest {
    private String schema;
    private ApplicationContextRunner runner;

    @BeforeEach
    void application() {
        schema = TestPostgres.newSchema();
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
                        PostroomAutoConfiguration.class))
                .withPropertyValues("spring.datasource.url=" + TestPostgres.url(), "postroom.store=postgres",
                        "postroom.postgres.schema=" + schema, "postroom.queues.refunds.max-attempts=3");
    }

    @AfterEach
    void dropSchema() throws SQLException {
        if (schema != null) {
            TestPostgres.drop(schema);
            TestPostgres.drop(schema + "_app");
        }
    }

    @FunctionalInterface
    interface TemplateTest {
        void run(PostroomTemplate template, Postroom postroom, TransactionTemplate transactions, JdbcTemplate jdbc) throws Exception;
    }

    private void run(TemplateTest test) {
        runner.run(context -> {
            JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
            jdbc.execute("CREATE SCHEMA " + schema + "_app");
            jdbc.execute("CREATE TABLE " + schema + "_app.refund_requests (order_id text)");
            test.run(context.getBean(PostroomTemplate.class), context.getBean(Postroom.class),
                    new TransactionTemplate(context.getBean(PlatformTransactionManager.class)), jdbc);
        });
    }

    @Test
    void aSendJoinsTheApplicationsTransactionAndIsSeenOnlyAfterItsCommit() {
        run((template, postroom, transactions, jdbc) -> {
            SendResult sent = transactions.execute(status -> {
                jdbc.update("INSERT INTO " + schema + "_app.refund_requests VALUES ('order-1')");
                CompletableFuture<SendResult> future = template.send("refunds", "order-1");
                assertThat(future).as("written in the transaction: nothing to wait for").isDone();
                assertThat(postroom.get(future.join().id())).as("invisible before the commit").isEmpty();
                return future.join();
            });

            assertThat(postroom.get(sent.id())).isPresent();
            assertThat(jdbc.queryForObject("SELECT count(*) FROM " + schema + "_app.refund_requests", Long.class)).isEqualTo(1);
        });
    }

    @Test
    void aRolledBackTransactionTakesItsSendWithIt() {
        run((template, postroom, transactions, jdbc) -> {
            String id = transactions.execute(status -> {
                jdbc.update("INSERT INTO " + schema + "_app.refund_requests VALUES ('order-2')");
                String sent = template.send("refunds", "order-2").join().id();
                status.setRollbackOnly();
                return sent;
            });

            assertThat(postroom.get(id)).isEmpty();
            assertThat(jdbc.queryForObject("SELECT count(*) FROM " + schema + "_app.refund_requests", Long.class)).isZero();
        });
    }
}
