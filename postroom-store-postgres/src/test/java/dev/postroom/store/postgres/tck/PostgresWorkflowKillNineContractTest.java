package dev.postroom.store.postgres.tck;

import dev.postroom.store.MessageStore;
import dev.postroom.store.postgres.PostgresMessageStore;
import dev.postroom.store.postgres.PostgresOptions;
import dev.postroom.store.postgres.TestDatabase;
import dev.postroom.tck.WorkflowKillNineContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.nio.file.Path;
import java.util.List;

/** The children share one schema, as the nodes of a cluster share a database; each open is a new "node". */
class PostgresWorkflowKillNineContractTest extends WorkflowKillNineContract {
    private TestDatabase.Schema schema;

    /** The child: {@code jdbcUrl schema startedLog mode}. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            runChild(PostgresMessageStore.open(PostgresOptions.of(args[0], null, null).withSchema(args[1]).withPoolSize(4)),
                    Path.of(args[2]), args[3]);
        }
    }

    @BeforeEach
    void newSchema() {
        schema = TestDatabase.newSchema();
    }

    @AfterEach
    void dropSchema() {
        if (schema != null) {
            schema.drop();
        }
    }

    @Override
    protected Class<?> childClass() {
        return Child.class;
    }

    @Override
    protected List<String> storeArguments() {
        return List.of(schema.url(), schema.name());
    }

    @Override
    protected MessageStore openStore() {
        return PostgresMessageStore.open(schema.options());
    }
}
