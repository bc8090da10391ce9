package dev.postroom.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.store.postgres.PostgresMessageStore;
import dev.postroom.store.postgres.PostgresOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code postroom server --store postgres}: a real server process on the test database, and the
 * one-line refusals when the database cannot be used. Needs {@code POSTROOM_TEST_PG_URL} (set by
 * {@code ./postroom test}); without it the database tests are skipped with a warning, or fail
 * when {@code POSTROOM_CI=1}.
 */
class PostgresServerTest {
    private static final String TOKEN = "pr_postgres_server_test_token_0123";
    private final ObjectMapper mapper = new ObjectMapper();
    private String schema;

    @TempDir
    Path dir;

    @AfterEach
    void dropSchema() throws SQLException {
        if (schema != null) {
            TestDatabase.dropSchema(schema);
        }
    }

    @Test
    void servesReadinessAndARoundTripOnPostgres() throws Exception {
        String url = databaseUrl();
        schema = TestDatabase.newSchemaName();
        ServerProcess server = ServerProcess.start(TOKEN, "--store", "postgres", "--db-url", url, "--db-schema", schema,
                "--db-pool-size", "3", "--data", dir.resolve("data").toString(), "--shutdown-seconds", "5");
        Process process = server.process();
        try (server) {
            server.awaitListening();
            assertThat(server.call("GET", "/health/ready", null).statusCode()).isEqualTo(200);
            assertThat(server.call("PUT", "/api/v1/queues/exports", "{}").statusCode()).isEqualTo(201);
            HttpResponse<String> sent = server.call("POST", "/api/v1/queues/exports/messages", "{\"payload\":{\"report\":\"q3\"}}");
            assertThat(sent.statusCode()).as(sent.body()).isEqualTo(201);
            String id = mapper.readTree(sent.body()).path("id").asText();

            HttpResponse<String> got = server.call("GET", "/api/v1/messages/" + id, null);
            assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
            JsonNode message = mapper.readTree(got.body());
            assertThat(message.path("payload").path("report").asText()).isEqualTo("q3");
            assertThat(message.path("state").asText()).isEqualTo("READY");

            process.destroy(); // SIGTERM: graceful
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("server stopped").isTrue();
        }
        assertThat(process.exitValue()).as("exit code after SIGTERM").isZero();
    }

    @Test
    void aBackupIsRefusedOnPostgresWithAProblemNamingPgDump() throws Exception {
        String url = databaseUrl();
        schema = TestDatabase.newSchemaName();
        try (ServerProcess server = ServerProcess.start(TOKEN, "--store", "postgres", "--db-url", url, "--db-schema", schema,
                "--db-pool-size", "3", "--data", dir.resolve("data").toString(), "--shutdown-seconds", "5")) {
            server.awaitListening();

            HttpResponse<String> refused = server.call("POST", "/api/v1/backups", null);

            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
            assertThat(refused.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(mapper.readTree(refused.body()).path("detail").asText()).contains("pg_dump");
        }
    }

    @Test
    void anUnreachableDatabaseExitsNonZeroNamingTheUrlWithoutThePassword() {
        Run run = Run.server("--store", "postgres", "--db-url", "jdbc:postgresql://127.0.0.1:1/postroom?password=hunter2",
                "--db-password", "s3cret", "--data", dir.toString());

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).startsWith("postroom server: cannot reach PostgreSQL at jdbc:postgresql://127.0.0.1:1/postroom?password=***: ")
                .doesNotContain("hunter2").doesNotContain("s3cret");
        assertThat(run.err().strip().lines()).hasSize(1);
    }

    @Test
    void postgresWithoutAUrlIsRefused() {
        Run run = Run.server("--store", "postgres", "--db-url", "", "--data", dir.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("postroom server: --store postgres needs --db-url (or POSTROOM_DB_URL),"
                + " e.g. jdbc:postgresql://db:5432/postroom");
    }

    @Test
    void aPoolSizeOutOfRangeIsRefusedNamingTheFlag() {
        Run run = Run.server("--store", "postgres", "--db-url", "jdbc:postgresql://127.0.0.1:1/postroom", "--db-pool-size", "0",
                "--data", dir.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("postroom server: --db-pool-size must be 1-500, was 0");
    }

    @Test
    void anUnknownStoreIsRefused() {
        Run run = Run.server("--store", "mysql", "--data", dir.toString());

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("--store must be sqlite or postgres, was mysql");
    }

    @Test
    void aSchemaMigratedByANewerVersionExitsNonZeroNamingTheMigration() throws SQLException {
        String url = databaseUrl();
        schema = TestDatabase.newSchemaName();
        PostgresMessageStore.open(PostgresOptions.of(url, null, null).withSchema(schema).withPoolSize(2)).close();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO " + schema + ".postroom_schema_history (installed_rank, version, description, type, script,"
                    + " checksum, installed_by, execution_time, success) SELECT max(installed_rank) + 1, '99', 'from the future',"
                    + " 'SQL', 'V99__from_the_future.sql', 0, current_user, 1, true FROM " + schema + ".postroom_schema_history");
        }

        Run run = Run.server("--store", "postgres", "--db-url", url, "--db-schema", schema, "--data", dir.toString());

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("was migrated by a newer Postroom: migration 99 (from the future)")
                .contains("upgrade this node");
        assertThat(run.err().strip().lines()).hasSize(1);
    }

    @Test
    void helpSaysUsersTokensAndAuditAreKeptWithTheMessages() {
        StringWriter out = new StringWriter();
        new CommandLine(new ServerCommand()).usage(new PrintWriter(out, true));

        assertThat(out.toString()).contains("--db-url").contains("--db-password")
                .contains("Users, tokens and the audit log live with the messages, shared on PostgreSQL.")
                .doesNotContain("per node");
    }

    // ---------------------------------------------------------------- helpers

    private record Run(int exitCode, String err) {
        static Run server(String... args) {
            CommandLine commandLine = new CommandLine(new ServerCommand());
            StringWriter err = new StringWriter();
            commandLine.setErr(new PrintWriter(err, true));
            commandLine.setOut(new PrintWriter(new StringWriter(), true));
            int exitCode = commandLine.execute(args);
            return new Run(exitCode, err.toString());
        }
    }

    private static String databaseUrl() {
        return TestDatabase.url();
    }
}
