package dev.postroom.server.auth;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.postroom.server.TestDatabase;
import dev.postroom.store.StoreUnavailableException;
import dev.postroom.store.postgres.PostgresMessageStore;
import dev.postroom.store.postgres.PostgresOptions;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Where users, tokens and the audit log are kept: an {@code auth.db} made by an earlier version
 * opens with its data, and on PostgreSQL the tables sit beside the message store's with a Flyway
 * history of their own, whichever opens first and however many nodes open at once.
 */
class AuthDatabaseTest {
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

    @TempDir
    Path dir;
    private final List<String> schemas = new ArrayList<>();

    @AfterEach
    void dropSchemas() throws SQLException {
        for (String schema : schemas) {
            TestDatabase.dropSchema(schema);
        }
    }

    @Test
    void anAuthDbFromEarlierVersionsOpensWithItsUsersAndTokens() throws Exception {
        // What earlier versions did on first start: migrate auth.db with Flyway's own connection (up to
        // V2, before the tables took the names they have on PostgreSQL), then write to it.
        String url = "jdbc:sqlite:" + dir.resolve("auth.db").toAbsolutePath();
        Flyway.configure().dataSource(url, null, null).locations("classpath:db/auth").target("2").load().migrate();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO tokens (id, name, token_hash, scopes, created_at) VALUES ('Ab12Cd34', 'ci-bot', '"
                    + AuthStore.hash("pr_made_by_an_earlier_version_0123456789") + "', 'read', 1)");
            s.executeUpdate("INSERT INTO audit (at, actor, action, detail) VALUES (1, 'admin', 'queue.create', '{}')");
            s.executeUpdate("INSERT INTO audit (at, actor, action, detail) VALUES (2, 'admin', 'queue.purge', '{}')");
            s.executeUpdate("DELETE FROM audit WHERE id = 2"); // pruned: its id must not come back
        }

        try (AuthStore auth = AuthStore.open(dir)) {
            assertThat(auth.verify("pr_made_by_an_earlier_version_0123456789", NOW)).map(ApiToken::id).contains("Ab12Cd34");
        }
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO audit_log (at, actor, action, detail) VALUES (3, 'admin', 'queue.pause', '{}')");
            try (var rs = s.executeQuery("SELECT id, action FROM audit_log ORDER BY id")) {
                List<String> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(rs.getLong(1) + " " + rs.getString(2));
                }
                assertThat(rows).as("the audit log keeps its rows and its ids only grow").containsExactly("1 queue.create", "3 queue.pause");
            }
        }
    }

    @Test
    void onPostgresTheTablesSitBesideTheMessageStoresWithAHistoryOfTheirOwn() throws Exception {
        PostgresOptions options = newSchema();
        PostgresMessageStore.open(options).close();
        List<String> storeHistory = history(options.schema(), "postroom_schema_history");

        try (AuthDatabase database = AuthDatabase.postgres(options); AuthStore auth = AuthStore.open(database)) {
            auth.addUser("ann", "0123456789", Role.ADMIN, NOW);
        }
        PostgresMessageStore.open(options).close(); // a restart: both histories are found as they were left
        try (AuthDatabase database = AuthDatabase.postgres(options); AuthStore auth = AuthStore.open(database)) {
            assertThat(auth.users()).extracting(User::username).containsExactly("ann");
        }

        assertThat(tables(options.schema())).contains("auth_users", "auth_tokens", "audit_log", "auth_schema_history",
                "messages", "queues", "postroom_schema_history");
        assertThat(history(options.schema(), "postroom_schema_history")).isEqualTo(storeHistory);
        assertThat(history(options.schema(), "auth_schema_history")).containsExactly("0", "1", "2", "3", "4");
    }

    @Test
    void onPostgresWebhooksUpsertAndEpisodesEndAndReopenWithinTheCoolDown() {
        PostgresOptions options = newSchema();
        try (AuthDatabase database = AuthDatabase.postgres(options); AuthStore auth = AuthStore.open(database)) {
            dev.postroom.server.alert.WebhookStore webhooks = new dev.postroom.server.alert.WebhookStore(database);
            var spec = dev.postroom.server.alert.WebhookSpec.of("ops", "http://127.0.0.1:9/hook", List.of("node.down"), null, null, null, null);
            assertThat(webhooks.put(spec, false, NOW).created()).isTrue();
            assertThat(webhooks.put(spec, false, NOW).created()).isFalse();
            var episode = new dev.postroom.server.alert.WebhookStore.Episode("ops", dev.postroom.server.alert.AlertEvent.NODE_DOWN, "web-2");
            java.time.Duration coolDown = java.time.Duration.ofMinutes(10);

            assertThat(webhooks.startEpisode(episode, NOW, coolDown)).isTrue();
            assertThat(webhooks.startEpisode(episode, NOW.plusSeconds(5), coolDown)).isFalse();
            webhooks.endEpisode(episode, NOW.plusSeconds(10));
            assertThat(webhooks.episodes()).isEmpty();
            assertThat(webhooks.startEpisode(episode, NOW.plusSeconds(20), coolDown)).as("back within the cool-down").isFalse();
            assertThat(webhooks.episodes()).containsExactly(episode);
            assertThat(webhooks.marks().get(episode).startedAt()).isEqualTo(NOW);
            webhooks.endEpisode(episode, NOW.plusSeconds(30));
            assertThat(webhooks.startEpisode(episode, NOW.plusSeconds(30).plus(coolDown), coolDown)).isTrue();
            assertThat(webhooks.marks().get(episode).startedAt()).isEqualTo(NOW.plusSeconds(30).plus(coolDown));
        }
    }

    @Test
    void onPostgresAnApplicationsDataSourceIsUsedInItsSchemaAndLeftOpen() throws Exception {
        PostgresOptions options = newSchema();
        try (Connection c = DriverManager.getConnection(TestDatabase.url()); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE SCHEMA " + options.schema());
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(TestDatabase.url());
        config.setMaximumPoolSize(2);
        config.addDataSourceProperty("currentSchema", options.schema());
        try (HikariDataSource application = new HikariDataSource(config)) {
            try (AuthDatabase database = AuthDatabase.postgres(application); AuthStore auth = AuthStore.open(database)) {
                auth.addUser("ann", "0123456789", Role.ADMIN, NOW);
            }

            assertThat(application.isClosed()).isFalse();
            try (Connection c = application.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT username FROM auth_users")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("ann");
                assertThat(c.getAutoCommit()).as("connections go back to the application as they came").isTrue();
            }
        }
        assertThat(tables(options.schema())).contains("auth_users", "auth_tokens", "audit_log", "auth_schema_history");
    }

    @Test
    void onPostgresNodesOpeningAtOnceBesideTheMessageStoreAllSucceed() throws Exception {
        PostgresOptions options = newSchema();
        PostgresMessageStore.open(options).close();
        int nodes = 3;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<AuthDatabase>> opened = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(nodes)) {
            for (int i = 0; i < nodes; i++) {
                opened.add(threads.submit(() -> {
                    start.await();
                    return AuthDatabase.postgres(options);
                }));
            }
            start.countDown();
        }
        for (Future<AuthDatabase> database : opened) {
            database.get(60, TimeUnit.SECONDS).close();
        }

        assertThat(history(options.schema(), "auth_schema_history")).containsExactly("0", "1", "2", "3", "4");
    }

    @Test
    void onPostgresTablesANewerPostroomMigratedAreRefusedNamingTheMigration() throws Exception {
        PostgresOptions options = newSchema();
        AuthDatabase.postgres(options).close();
        try (Connection c = DriverManager.getConnection(TestDatabase.url()); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO " + options.schema() + ".auth_schema_history (installed_rank, version, description, type, script,"
                    + " checksum, installed_by, execution_time, success) SELECT max(installed_rank) + 1, '99', 'from the future',"
                    + " 'SQL', 'V99__from_the_future.sql', 0, current_user, 1, true FROM " + options.schema() + ".auth_schema_history");
        }

        assertThatThrownBy(() -> AuthDatabase.postgres(options))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("migration 99 (from the future) is unknown to this version")
                .hasMessageContaining("schema " + options.schema());
    }

    @Test
    void onPostgresAnUnreachableDatabaseIsOneErrorNamingTheUrlWithoutThePassword() {
        PostgresOptions options = PostgresOptions.of("jdbc:postgresql://127.0.0.1:1/postroom?password=hunter2", null, "s3cret");

        assertThatThrownBy(() -> AuthDatabase.postgres(options))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageStartingWith("cannot open users and audit log in PostgreSQL jdbc:postgresql://127.0.0.1:1/postroom?password=***: ")
                .hasMessageNotContaining("hunter2")
                .hasMessageNotContaining("s3cret");
    }

    // ---------------------------------------------------------------- helpers

    private PostgresOptions newSchema() {
        String schema = TestDatabase.newSchemaName();
        PostgresOptions options = PostgresOptions.of(TestDatabase.url(), null, null).withSchema(schema).withPoolSize(2);
        schemas.add(schema);
        return options;
    }

    private static List<String> tables(String schema) throws SQLException {
        return strings("SELECT table_name FROM information_schema.tables WHERE table_schema = '" + schema + "'");
    }

    /** The versions a Flyway history holds, in the order applied. */
    private static List<String> history(String schema, String table) throws SQLException {
        return strings("SELECT version FROM " + schema + "." + table + " WHERE version IS NOT NULL ORDER BY installed_rank");
    }

    private static List<String> strings(String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(TestDatabase.url()); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery(sql)) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }
}
