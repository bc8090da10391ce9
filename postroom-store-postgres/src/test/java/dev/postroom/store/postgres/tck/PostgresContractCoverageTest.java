package dev.postroom.store.postgres.tck;

import dev.postroom.tck.ContractCoverage;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL store runs every TCK contract: a contract added to the TCK fails this test until
 * it has a subclass beside this one. It needs no database, so it runs also where the PostgreSQL
 * tests are skipped.
 */
class PostgresContractCoverageTest {
    @Test
    void everyContractHasASubclassHere() {
        ContractCoverage.assertEveryContractRunsBeside(PostgresContractCoverageTest.class);
    }
}
