package dev.postroom.spring;

import com.zaxxer.hikari.HikariDataSource;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.store.MessageStore;
import dev.postroom.store.postgres.PostgresMessageStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** postroom.store=postgres: the store runs on the application's DataSource, and nothing opens a second pool. */
class PostroomPostgresTest {
    private String schema;
    private ApplicationContextRunner runner;

    @BeforeEach
    void application() {
        String url = TestPostgres.url();
        schema = TestPostgres.newSchema();
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, PostroomAutoConfiguration.class,
                        PostroomHealthAutoConfiguration.class))
                .withPropertyValues("spring.datasource.url=" + url, "spring.datasource.hikari.pool-name=application",
                        "postroom.store=postgres", "postroom.postgres.schema=" + schema,
                        "postroom.queues.refunds.max-attempts=3");
    }

    @AfterEach
    void dropSchema() throws SQLException {
        if (schema != null) {
            TestPostgres.drop(schema);
        }
    }

    @Test
    void theStoreRunsOnTheApplicationsDataSourceAndItsSendsAreInThatDatabase() {
        runner.run(context -> {
            DataSource dataSource = context.getBean(DataSource.class);
            Postroom postroom = context.getBean(Postroom.class);
            assertThat(context.getBean(MessageStore.class)).isInstanceOf(PostgresMessageStore.class);
            assertThat(context.getBean(MessageStore.class).toString()).contains("DataSource HikariDataSource (application)");
            postroom.handle("refunds", String.class, delivery -> null);

            String id = postroom.send("refunds", "order-42").join().id();

            await().until(() -> postroom.get(id).orElseThrow().state() == MessageState.SUCCEEDED);
            assertThat(queueOf(dataSource, id)).isEqualTo("refunds");
            // the pool the application configured is the only one: its connections are the ones in use
            assertThat(context.getBeansOfType(DataSource.class)).hasSize(1);
            assertThat(((HikariDataSource) dataSource).getHikariPoolMXBean().getTotalConnections()).isPositive();
        });
    }

    @Test
    void aHandlerRunningWhenTheApplicationClosesIsAckedBeforeTheDataSourceCloses() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        String[] id = new String[1];
        HikariDataSource[] dataSource = new HikariDataSource[1];
        runner.run(context -> {
            dataSource[0] = (HikariDataSource) context.getBean(DataSource.class);
            Postroom postroom = context.getBean(Postroom.class);
            postroom.handle("refunds", String.class, delivery -> {
                started.countDown();
                Thread.sleep(1_000); // the work: still running when the context closes
                return null;
            });
            id[0] = postroom.send("refunds", "order-42").join().id();
            assertThat(started.await(30, TimeUnit.SECONDS)).as("handler started").isTrue();
        });

        assertThat(dataSource[0].isClosed()).as("closed by the context, after Postroom").isTrue();
        try (Connection c = DriverManager.getConnection(TestPostgres.url());
             PreparedStatement ps = c.prepareStatement("SELECT state FROM " + schema + ".messages WHERE id = ?::uuid")) {
            ps.setString(1, id[0]);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(MessageState.fromCode(rs.getShort(1))).isEqualTo(MessageState.SUCCEEDED);
            }
        }
    }

    @Test
    void healthIsUpOnTheApplicationsDatabase() {
        runner.run(context -> assertThat(context.getBean(PostroomHealthIndicator.class).health().getStatus().getCode()).isEqualTo("UP"));
    }

    private String queueOf(DataSource dataSource, String id) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT queue FROM " + schema + ".messages WHERE id = ?::uuid")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
