package dev.postroom.store.sqlite.tck;

import dev.postroom.tck.ContractCoverage;
import org.junit.jupiter.api.Test;

/**
 * The SQLite store runs every TCK contract: a contract added to the TCK fails this test until
 * it has a subclass beside this one.
 */
class SqliteContractCoverageTest {
    @Test
    void everyContractHasASubclassHere() {
        ContractCoverage.assertEveryContractRunsBeside(SqliteContractCoverageTest.class);
    }
}
