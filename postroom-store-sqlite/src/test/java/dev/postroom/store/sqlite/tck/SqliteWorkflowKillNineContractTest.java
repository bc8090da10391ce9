package dev.postroom.store.sqlite.tck;

import dev.postroom.store.MessageStore;
import dev.postroom.store.sqlite.SqliteMessageStore;
import dev.postroom.tck.WorkflowKillNineContract;

import java.nio.file.Path;
import java.util.List;

class SqliteWorkflowKillNineContractTest extends WorkflowKillNineContract {

    /** The child: {@code dataDir startedLog mode}. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            runChild(SqliteMessageStore.open(Path.of(args[0])), Path.of(args[1]), args[2]);
        }
    }

    @Override
    protected Class<?> childClass() {
        return Child.class;
    }

    @Override
    protected List<String> storeArguments() {
        return List.of(tmp.resolve("data").toString());
    }

    @Override
    protected MessageStore openStore() {
        return SqliteMessageStore.open(tmp.resolve("data"));
    }
}
