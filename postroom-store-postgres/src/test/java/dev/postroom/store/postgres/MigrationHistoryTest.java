package dev.postroom.store.postgres;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store's migration history lives beside an application's: its own table, whatever else the
 * schema holds, and stores made before it keep theirs.
 */
class MigrationHistoryTest {
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

    private void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(schema.url()); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private List<String> strings(String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(schema.url()); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    @Test
    void aSchemaWithAnApplicationsTablesAndFlywayHistoryGetsAHistoryOfItsOwn() throws SQLException {
        // An application that migrated its own tables with Flyway into the schema first.
        execute("CREATE SCHEMA " + schema.name());
        execute("CREATE TABLE " + schema.name() + ".customers (id bigint PRIMARY KEY)");
        execute("CREATE TABLE " + schema.name() + ".flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50),"
                + " description varchar(200) NOT NULL, type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum int,"
                + " installed_by varchar(100) NOT NULL, installed_on timestamp NOT NULL DEFAULT now(), execution_time int NOT NULL,"
                + " success boolean NOT NULL)");
        execute("INSERT INTO " + schema.name() + ".flyway_schema_history VALUES (1, '1', 'customers', 'SQL', 'V1__customers.sql', 0,"
                + " current_user, now(), 1, true)");

        PostgresMessageStore.open(schema.options()).close();
        PostgresMessageStore.open(schema.options()).close();

        assertThat(strings("SELECT script FROM " + schema.name() + ".flyway_schema_history"))
                .as("the application's history is untouched").containsExactly("V1__customers.sql");
        assertThat(strings("SELECT version FROM " + schema.name() + ".postroom_schema_history WHERE version IS NOT NULL ORDER BY installed_rank"))
                .startsWith("0", "1", "2");
    }

    @Test
    void aStoreMadeBeforeGoesOnWithItsFlywaySchemaHistory() throws SQLException {
        // What earlier versions did: Postroom's migrations in Flyway's default history table.
        Flyway.configure().dataSource(schema.url(), null, null).schemas(schema.name()).createSchemas(true)
                .locations("classpath:db/postgres").target("3").load().migrate();

        PostgresMessageStore.open(schema.options()).close();

        assertThat(strings("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + schema.name()
                + "' AND table_name = 'postroom_schema_history'")).containsExactly("0");
        assertThat(strings("SELECT script FROM " + schema.name() + ".flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank"))
                .as("the rest of the migrations went on in the same history").contains("V1__messages.sql", "V4__schedules.sql", "V7__batches.sql");
    }
}
