package dev.postroom.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.postroom.QueuePolicy;
import dev.postroom.store.MessageIds;
import dev.postroom.store.NewMessage;
import dev.postroom.store.QueueWatch;
import dev.postroom.store.SendBatch;
import dev.postroom.store.StoreUnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The store opened on an application's {@code DataSource}: it borrows, it gives back as it found,
 * and the {@code DataSource} outlives it. (The TCK runs on such a store too: {@code
 * PostgresDataSource*ContractTest}.)
 */
class DataSourceStoreTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final String QUEUE = "refunds";

    private final MessageIds ids = new MessageIds(InstantSource.fixed(NOW));
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private TestDatabase.Schema schema;

    @AfterEach
    void closeAndDrop() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
        if (schema != null) {
            schema.drop();
        }
    }

    private HikariDataSource applicationPool(int size) {
        return applicationPool(size, null);
    }

    private HikariDataSource applicationPool(int size, String connectionInitSql) {
        schema = TestDatabase.newSchema();
        HikariConfig config = schema.applicationPoolConfig(size);
        config.setConnectionInitSql(connectionInitSql);
        HikariDataSource pool = new HikariDataSource(config);
        toClose.add(pool);
        return pool;
    }

    private PostgresMessageStore open(HikariDataSource pool) {
        PostgresMessageStore store = PostgresMessageStore.open(pool, schema.name());
        toClose.add(store);
        store.upsertQueue(QUEUE, QueuePolicy.DEFAULT, NOW).join();
        return store;
    }

    private void send(PostgresMessageStore store) {
        NewMessage message = new NewMessage(ids.next(), QUEUE, "{}", Map.of(), 0, NOW, null, null, null, 5);
        store.send(new SendBatch(List.of(message), NOW, "a")).join();
    }

    @Test
    void closeLeavesTheApplicationsDataSourceOpenAndUsable() throws SQLException {
        HikariDataSource pool = applicationPool(3);
        PostgresMessageStore store = open(pool);
        send(store);

        store.close();

        assertThat(pool.isClosed()).isFalse();
        assertThat(single(pool, "SELECT count(*) FROM " + schema.name() + ".messages")).isEqualTo("1");
    }

    @Test
    void borrowedConnectionsGoBackWithTheSearchPathTheyCameWith() throws SQLException {
        // Two connections (Flyway takes both while it migrates), both checked afterwards.
        HikariDataSource pool = applicationPool(2, "SET search_path TO app_tables, public");
        PostgresMessageStore store = open(pool);
        send(store);
        assertThat(store.queues()).hasSize(1);

        try (Connection first = pool.getConnection(); Connection second = pool.getConnection()) {
            assertThat(single(first, "SHOW search_path")).isEqualTo("app_tables, public");
            assertThat(single(second, "SHOW search_path")).isEqualTo("app_tables, public");
        }
        assertThat(single(pool, "SELECT count(*) FROM " + schema.name() + ".messages")).isEqualTo("1");
    }

    @Test
    void theListenerHoldsOnePooledConnectionTakesAnotherAfterAFailureAndGivesItBackNotListening() throws Exception {
        HikariDataSource pool = applicationPool(2);
        PostgresMessageStore store = open(pool);
        ConcurrentLinkedQueue<String> heard = new ConcurrentLinkedQueue<>();
        QueueWatch watch = store.watchQueues(heard::add);
        toClose.add(watch::close);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            send(store);
            assertThat(heard).contains(QUEUE);
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.getHikariPoolMXBean().getActiveConnections() == 1);

        store.dropListenerConnectionForTesting();
        heard.clear();
        // Back on a fresh connection, it reports every queue once, since sends made while it was away were not heard.
        await().atMost(Duration.ofSeconds(15)).until(() -> heard.contains(QUEUE));
        heard.clear();
        send(store);
        await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains(QUEUE));

        store.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.getHikariPoolMXBean().getActiveConnections() == 0);
        try (Connection first = pool.getConnection(); Connection second = pool.getConnection()) {
            assertThat(listening(first)).isFalse();
            assertThat(listening(second)).isFalse();
        }
    }

    @Test
    void aDataSourceOfAnotherDatabaseIsRefusedNamingIt(@TempDir Path dir) {
        SQLiteDataSource sqlite = new SQLiteDataSource();
        sqlite.setUrl("jdbc:sqlite:" + dir.resolve("app.db"));

        assertThatThrownBy(() -> PostgresMessageStore.open(sqlite, null))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("is not PostgreSQL's")
                .hasMessageContaining("SQLite");
    }

    @Test
    void aSchemaThatIsNotALowerCaseIdentifierIsRefusedBeforeAnythingIsBorrowed() {
        SQLiteDataSource neverAsked = new SQLiteDataSource();

        assertThatThrownBy(() -> PostgresMessageStore.open(neverAsked, "Post-Room"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema must be a lower-case SQL identifier")
                .hasMessageContaining("Post-Room");
    }

    private static boolean listening(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_listening_channels()")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }

    private static String single(HikariDataSource pool, String sql) throws SQLException {
        try (Connection c = pool.getConnection()) {
            return single(c, sql);
        }
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
