package dev.postroom.store.postgres;

import dev.postroom.store.StoreUnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A schema migrated by a newer Postroom is refused, naming the migration: Flyway on its own ignores
 * applied migrations it does not know ("future" ones), and this binary would then work on tables
 * it does not understand.
 */
class SchemaVersionTest {
    private TestDatabase.Schema schema;

    @BeforeEach
    void newSchema() {
        schema = TestDatabase.newSchema();
    }

    @AfterEach
    void drop() {
        if (schema != null) {
            schema.drop();
        }
    }

    /** Records migration 99 as applied, as a newer binary would have. */
    static void applyFutureMigration(String url, String schema) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO " + schema + ".postroom_schema_history (installed_rank, version, description, type, script,"
                    + " checksum, installed_by, execution_time, success) SELECT max(installed_rank) + 1, '99', 'from the future',"
                    + " 'SQL', 'V99__from_the_future.sql', 0, current_user, 1, true FROM " + schema + ".postroom_schema_history");
        }
    }

    @Test
    void aSchemaMigratedByANewerVersionIsRefusedNamingTheMigration() throws SQLException {
        PostgresMessageStore.open(schema.options()).close();
        applyFutureMigration(schema.url(), schema.name());

        assertThatThrownBy(() -> PostgresMessageStore.open(schema.options()))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("was migrated by a newer Postroom: migration 99 (from the future)")
                .hasMessageContaining("knows migrations up to " + latestMigration());
    }

    /** The highest version among the migrations this build ships (they are files while the tests run). */
    private static int latestMigration() {
        try (Stream<Path> files = Files.list(Path.of(SchemaVersionTest.class.getResource("/db/postgres").toURI()))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))).max().orElseThrow();
        } catch (IOException | URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theCurrentSchemaOpensAgain() {
        PostgresMessageStore.open(schema.options()).close();
        PostgresMessageStore.open(schema.options()).close();
    }
}
