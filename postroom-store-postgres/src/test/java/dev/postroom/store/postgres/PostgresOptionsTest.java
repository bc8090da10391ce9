package dev.postroom.store.postgres;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresOptionsTest {
    private static final String URL = "jdbc:postgresql://127.0.0.1/postroom";

    @Test
    void badValuesAreRejectedNamingTheProperty() {
        assertThatThrownBy(() -> PostgresOptions.of("jdbc:mysql://x/y", null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("jdbcUrl");
        assertThatThrownBy(() -> PostgresOptions.of(URL, null, null).withPoolSize(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("poolSize must be 1-500");
        assertThatThrownBy(() -> PostgresOptions.of(URL, null, null).withSchema("Robert'); DROP TABLE"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("schema");
        assertThat(PostgresOptions.of(URL, null, null).withPoolSize(500).withSchema("postroom").poolSize()).isEqualTo(500);
    }

    @Test
    void passwordIsNotInToString() {
        assertThat(PostgresOptions.of(URL, "postroom", "s3cret").toString()).doesNotContain("s3cret").contains(URL);
    }

    @Test
    void aPasswordInTheUrlIsRedacted() {
        PostgresOptions options = PostgresOptions.of("jdbc:postgresql://db/postroom?user=me&password=s3cret&ssl=true", null, null);
        assertThat(options.redactedUrl()).isEqualTo("jdbc:postgresql://db/postroom?user=me&password=***&ssl=true");
        assertThat(options.toString()).doesNotContain("s3cret");
    }

    @Test
    void notificationChannelsFitAnIdentifierAndDifferPerSchema() {
        String longest = "s".repeat(63);
        assertThat(PostgresMessageStore.channel(longest)).hasSizeLessThanOrEqualTo(63)
                .isNotEqualTo(PostgresMessageStore.channel("s".repeat(62)));
        assertThat(PostgresMessageStore.channel("a")).isNotEqualTo(PostgresMessageStore.channel("b"));
        assertThat(PostgresMessageStore.channel(null)).isEqualTo("postroom:");
    }
}
