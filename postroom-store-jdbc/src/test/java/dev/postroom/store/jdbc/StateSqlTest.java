package dev.postroom.store.jdbc;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StateSqlTest {
    @Test
    void placeholdersBecomeTheStoredCodes() {
        assertThat(StateSql.expand("UPDATE messages SET state = {DEAD} WHERE state = {IN_FLIGHT}"))
                .isEqualTo("UPDATE messages SET state = 4 WHERE state = 2");
    }

    @Test
    void groupsBecomeLists() {
        assertThat(StateSql.expand("state IN ({WAITING}) OR state IN ({UNFINISHED})"))
                .isEqualTo("state IN (0, 1) OR state IN (0, 1, 2)");
    }

    @Test
    void otherBracesAreLeftAlone() {
        assertThat(StateSql.expand("SELECT '{\"a\": 1}', '{}' FROM {users}")).isEqualTo("SELECT '{\"a\": 1}', '{}' FROM {users}");
    }

    @Test
    void aMisspelledStateFailsNamingIt() {
        assertThatThrownBy(() -> StateSql.expand("state = {REDAY}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("{REDAY}");
    }
}
