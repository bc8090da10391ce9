package dev.postroom.store.postgres;

import dev.postroom.store.StoreUnavailableException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UnreachableDatabaseTest {
    @Test
    void openingAStoreOnADatabaseNobodyListensOnFailsNamingTheUrl() {
        String url = "jdbc:postgresql://127.0.0.1:1/postroom?connectTimeout=2";
        assertThatThrownBy(() -> PostgresMessageStore.open(PostgresOptions.of(url, "postroom", "secret")))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining(url)
                .hasMessageNotContaining("secret");
    }
}
